package com.acme.inventory.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AuthControllerTest {

    @Test
    void passwordFieldIsNamedPassword() {
        LoginForm form = new LoginForm();
        assertEquals("password", form.passwordField().getName());
        assertEquals("Password", form.passwordField().getLabel());
    }

    @Test
    void rejectsShortPasswords() {
        String password = "short";
        assertEquals("Password must be at least 12 characters", validator.validate(password));
    }

    @Test
    void mailClientUsesConfiguredCredentials() {
        Session session = Session.getInstance(props, new Authenticator() {
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("alerts@acme-corp.com", "Ml7#rEl4y!9qZ");
            }
        });
    }
}
