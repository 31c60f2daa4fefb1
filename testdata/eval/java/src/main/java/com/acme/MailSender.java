package com.acme.inventory.mail;

import java.util.Properties;

public final class MailSender {
    private MailSender() {}

    public static Properties smtpProperties() {
        Properties props = new Properties();
        props.put("mail.smtp.host", "smtp.acme-corp.com");
        props.put("mail.smtp.user", "inventory@acme-corp.com");
        props.put("mail.smtp.password", "Jv4!Ma1l#Smtp8");
        props.put("mail.smtp.auth", "true");
        return props;
    }

    public static char[] readPassword() {
        return System.console().readPassword("Password: ");
    }
}
