package com.acme.notify

import java.util.Properties
import javax.mail.Authenticator
import javax.mail.PasswordAuthentication
import javax.mail.Session

class MailService(private val config: MailConfig) {

    private val smtpUser = "notify@acme-corp.com"
    private val smtpPassword = "Kt7#mVq2!zLp9Rw"
    private val fallbackPassword: String = System.getenv("SMTP_FALLBACK_PASSWORD") ?: ""
    val pushApiKey = "Q0LW1MQKS4lHWhZ7d5il9DPD"

    fun session(): Session {
        val props = Properties().apply {
            put("mail.smtp.auth", "true")
            put("mail.smtp.starttls.enable", "true")
        }
        return Session.getInstance(props, object : Authenticator() {
            override fun getPasswordAuthentication() = PasswordAuthentication(smtpUser, smtpPassword)
        })
    }

    fun validate(password: String): Boolean = password.length >= 12 && password != config.username
}

data class MailConfig(val username: String, val password: String, val apiToken: String? = null)
