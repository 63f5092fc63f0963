package dev.pushdeploy.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** Password logins to a real PostgreSQL server, as the rotation tests prove them. */
public final class PostgresLogins {
    /** SQLSTATE invalid_password: the server refused the login's password. */
    public static final String INVALID_PASSWORD = "28P01";

    private PostgresLogins() {
    }

    public static Connection connect(String jdbcUrl, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl, props);
    }

    /** True when the server lets {@code user} in with {@code password} (as that session user); false when it refuses the password. */
    public static boolean canLogin(String jdbcUrl, String user, String password) {
        try (Connection c = connect(jdbcUrl, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT session_user")) {
            rs.next();
            return user.equals(rs.getString(1));
        } catch (SQLException e) {
            if (INVALID_PASSWORD.equals(e.getSQLState())) {
                return false;
            }
            throw new IllegalStateException("login as " + user + " failed unexpectedly [SQLSTATE " + e.getSQLState() + "]", e);
        }
    }
}
