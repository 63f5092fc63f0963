package dev.pushdeploy.secrets;

import java.security.SecureRandom;

/** Random secret values from {@link SecureRandom}, in the URL-safe base64 alphabet. */
public final class RandomValues {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private RandomValues() {
    }

    /** {@code length} characters, 6 bits of entropy each (the alphabet has exactly 64 symbols). */
    public static SecretValue next(int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive");
        }
        // A fresh generator per value: no generator state is captured in a SnapStart snapshot
        // and shared by every environment restored from it.
        SecureRandom random = new SecureRandom();
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return SecretValue.of(new String(chars));
    }
}
