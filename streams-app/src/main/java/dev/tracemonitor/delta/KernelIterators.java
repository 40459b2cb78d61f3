package dev.tracemonitor.delta;

import io.delta.kernel.utils.CloseableIterator;
import java.util.Iterator;
import java.util.List;

/** In-memory lists as Kernel's {@link CloseableIterator}. */
final class KernelIterators {

    private KernelIterators() {
    }

    static <T> CloseableIterator<T> of(List<T> list) {
        Iterator<T> it = list.iterator();
        return new CloseableIterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public T next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }
}
