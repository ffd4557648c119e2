package io.github.schemaevolution.clickhouse;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.DriverManager;
import java.util.Properties;

/** The data source of a child JVM in a test: connections to a ClickHouse JDBC URL as the default user. */
final class ChildDataSource {
    private ChildDataSource() {
    }

    static DataSource of(String url) {
        return (DataSource) Proxy.newProxyInstance(ChildDataSource.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        Properties properties = new Properties();
                        properties.setProperty("user", "default");
                        properties.setProperty("password", "");
                        return DriverManager.getConnection(url, properties);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
