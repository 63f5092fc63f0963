package dev.pushdeploy.secrets;

import java.security.SecureRandom;

/** Random secret values from {@link SecureRandom}, in the URL-safe base64 alphabet. */
public final class RandomValues {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomValues() {
    }

    /** {@code length} characters, 6 bits of entropy each (the alphabet has exactly 64 symbols). */
    public static SecretValue next(int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive");
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return SecretValue.of(new String(chars));
    }
}
