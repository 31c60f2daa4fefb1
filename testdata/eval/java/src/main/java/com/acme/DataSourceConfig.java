package com.acme.inventory.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

@Configuration
public class DataSourceConfig {

    private static final String JDBC_URL = "jdbc:postgresql://pg.inventory.internal:5432/inventory";
    private static final String DB_USER = "inventory_svc";
    private static final String DB_PASSWORD = "Tz6!wPq3#LkV9mRx";
    private static final String PASSWORD_FIELD = "password";
    private static final int PASSWORD_MIN_LENGTH = 12;

    @Value("${spring.datasource.password}")
    private String password;

    @Value("${reporting.api.key}")
    private String reportingApiKey;

    @Bean
    public DataSource dataSource() {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(JDBC_URL);
        cfg.setUsername(DB_USER);
        cfg.setPassword(password);
        return new HikariDataSource(cfg);
    }

    @Bean
    public DataSource legacyDataSource() {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:mysql://legacy-db.internal:3306/erp?user=erp_ro&password=Er9p!Leg4cyRo");
        cfg.setPassword(System.getenv("LEGACY_DB_PASSWORD"));
        return new HikariDataSource(cfg);
    }
}
