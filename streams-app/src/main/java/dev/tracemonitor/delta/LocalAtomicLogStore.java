package dev.tracemonitor.delta;

import io.delta.storage.HDFSLogStore;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Delta log store for {@code file:} tables: a new log entry ({@code NNN.json}) is written to a temporary file and
 * published with a hard link, which the operating system creates only if the name is free. Delta's default for
 * {@code file:} ({@link HDFSLogStore}, a rename after an existence check) lets two processes that commit the same
 * version at the same moment both "succeed", the second replacing the first: a lost commit (seen here as a checksum
 * error on the log file, with two instances writing one table). Overwrites ({@code _last_checkpoint}) and file systems
 * without hard links fall back to {@link HDFSLogStore}. Installed by {@link DeltaStorage#configure(Configuration)}.
 */
public class LocalAtomicLogStore extends HDFSLogStore {

    private static final Logger log = LoggerFactory.getLogger(LocalAtomicLogStore.class);

    public LocalAtomicLogStore(Configuration conf) {
        super(conf);
    }

    @Override
    public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration conf) throws IOException {
        String scheme = path.toUri().getScheme();
        if (Boolean.TRUE.equals(overwrite) || (scheme != null && !scheme.equals("file"))) {
            super.write(path, actions, overwrite, conf);
            return;
        }
        java.nio.file.Path target = new File(path.toUri().getPath()).toPath();
        java.nio.file.Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Files.createDirectories(target.getParent());
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (actions.hasNext()) {
                    ByteBuffer line = StandardCharsets.UTF_8.encode(actions.next() + "\n");
                    while (line.hasRemaining()) {
                        out.write(line);
                    }
                }
                out.force(true);
            }
            try {
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                throw new FileAlreadyExistsException(path.toString());
            } catch (UnsupportedOperationException | IOException e) {
                if (e instanceof FileAlreadyExistsException) {
                    throw e;
                }
                log.warn("No hard links at {} ({}); committing with a rename, which is not safe for concurrent writers",
                        target.getParent(), e.toString());
                if (Files.exists(target)) {
                    throw new FileAlreadyExistsException(path.toString());
                }
                Files.move(temp, target);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Boolean isPartialWriteVisible(Path path, Configuration conf) {
        return false;
    }
}
