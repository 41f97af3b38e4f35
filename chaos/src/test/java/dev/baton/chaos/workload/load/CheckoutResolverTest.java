package dev.baton.chaos.workload.load;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The caching half of the resolver on a fake clock; the lab test covers the real DNS server. */
class CheckoutResolverTest {

    @Test
    void keepsTheAnswerForItsTtlThenAsksAgain() throws Exception {
        InetAddress east = InetAddress.getByName("127.0.1.1");
        InetAddress west = InetAddress.getByName("127.0.2.1");
        Deque<CheckoutResolver.Answer> answers = new ArrayDeque<>();
        answers.add(new CheckoutResolver.Answer(east, 1));
        answers.add(new CheckoutResolver.Answer(west, 0));
        answers.add(new CheckoutResolver.Answer(west, 1));
        AtomicLong now = new AtomicLong(1_000);
        CheckoutResolver r = new CheckoutResolver("checkout.example.test.", answers::removeFirst, now::get);

        assertThat(r.resolve()).isEqualTo(east);
        now.addAndGet(999_999_999);           // still inside the 1 s TTL
        assertThat(r.resolve()).isEqualTo(east);
        assertThat(r.lookups()).isEqualTo(1);
        now.addAndGet(1);                     // TTL over
        assertThat(r.resolve()).isEqualTo(west);
        assertThat(r.resolve()).isEqualTo(west); // TTL 0: never cached
        assertThat(r.lookups()).isEqualTo(3);
    }
}
