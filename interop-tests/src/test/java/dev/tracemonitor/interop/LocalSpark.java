package dev.tracemonitor.interop;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one way the interop tests start Spark: local, two cores, bound to the loopback interface, UTC, with Delta's
 * extension and catalog. Its catalog is the in-memory one (no spark-hive on the classpath); whatever Derby or the
 * warehouse might write goes under the build directory all the same.
 */
final class LocalSpark {

    private LocalSpark() {
    }

    static SparkSession start(Path buildDir, String appName) {
        System.setProperty("derby.system.home", buildDir.resolve("derby").toString());
        return SparkSession.builder()
                .appName(appName)
                .master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.warehouse.dir", buildDir.resolve("spark-warehouse").toUri().toString())
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .getOrCreate();
    }
}
