/*
 * delayq: holds the packets of one netfilter queue (NFQUEUE) for a while, then lets each one go:
 * packet delay and reordering for a kernel without tc netem.
 *
 *   delayq QUEUE SEED delay BASE_MS JITTER_MS
 *       each packet is held BASE_MS ms, give or take up to JITTER_MS (uniform, never below 0): with no
 *       jitter packets keep their order, with jitter a later packet may overtake an earlier one.
 *   delayq QUEUE SEED reorder PERCENT HOLD_MS
 *       PERCENT% of the packets, chosen at random, are held HOLD_MS ms; the others go at once, so that
 *       they overtake the held ones.
 *
 * Contract:
 *   - Binds netfilter queue QUEUE in the network namespace it runs in (queue numbers are per namespace)
 *     and gives every packet queued there the verdict NF_ACCEPT, unchanged, once its time is up. It
 *     drops nothing and never reads a payload (only packet ids are copied to it).
 *   - The random draws come from SEED alone (splitmix64), so that one seed names the same draws: the
 *     n-th packet queued gets the same hold on every run with that seed.
 *   - Prints "ready" on standard output once the queue is bound: packets sent from then on are delayed.
 *   - On SIGTERM or SIGINT it lets every packet still held go at once, in the order they are due,
 *     unbinds the queue and exits 0. Exits 1 (with a message on standard error) if the queue cannot be
 *     bound or netlink fails.
 *   - What it cannot hold is not lost: the queue is opened fail-open (when the kernel's queue is full,
 *     packets pass undelayed), and the rule that queues packets should carry --queue-bypass, so that
 *     once this program is gone packets pass undelayed too. Packets held when it is killed with SIGKILL
 *     are dropped by the kernel as it unbinds the queue: stop it with SIGTERM.
 *   - Single-threaded: one poll loop reads the queue and releases what is due.
 *
 * Build: gcc -O2 -o delayq delayq.c -lnetfilter_queue
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

/* Packets the kernel may queue before it lets further ones pass undelayed (fail-open). */
#define QUEUE_MAX_PACKETS 65536
/* The netlink socket's receive buffer: room for a burst of queued packets' metadata. */
#define RECEIVE_BUFFER_BYTES (8 * 1024 * 1024)

enum mode { MODE_DELAY, MODE_REORDER };

struct held {
    uint64_t due_ns;    /* when it may go (CLOCK_MONOTONIC) */
    uint64_t arrival;   /* arrival order, to break ties: equal due times keep arrival order */
    uint32_t packet_id;
};

static struct {
    enum mode mode;
    long base_ms;      /* delay: the base delay; reorder: the hold of a held packet */
    long spread;       /* delay: the jitter in ms; reorder: the percentage held */
    uint64_t random;   /* splitmix64 state */
    uint64_t arrivals;
    struct held *heap; /* a min-heap on (due_ns, arrival) */
    size_t size;
    size_t capacity;
    struct nfq_q_handle *queue;
} state;

static volatile sig_atomic_t stopping;

static void on_signal(int signal) {
    (void) signal;
    stopping = 1;
}

static uint64_t next_random(void) {
    uint64_t z = (state.random += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number from 0 to bound - 1 (bound > 0); the tiny modulo bias does not matter here. */
static uint64_t random_below(uint64_t bound) {
    return next_random() % bound;
}

static uint64_t now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t) now.tv_sec * 1000000000ULL + (uint64_t) now.tv_nsec;
}

/* How long the next packet is held, in ms: one or two draws from the seeded random. */
static long hold_ms(void) {
    if (state.mode == MODE_DELAY) {
        if (state.spread == 0) {
            return state.base_ms;
        }
        long ms = state.base_ms - state.spread + (long) random_below((uint64_t) (2 * state.spread + 1));
        return ms < 0 ? 0 : ms;
    }
    return (long) random_below(100) < state.spread ? state.base_ms : 0;
}

static int earlier(const struct held *a, const struct held *b) {
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->arrival < b->arrival);
}

static void push(struct held packet) {
    if (state.size == state.capacity) {
        size_t capacity = state.capacity == 0 ? 1024 : 2 * state.capacity;
        struct held *heap = realloc(state.heap, capacity * sizeof *heap);
        if (heap == NULL) {
            /* Nowhere to hold it: let it go now rather than lose it. */
            nfq_set_verdict(state.queue, packet.packet_id, NF_ACCEPT, 0, NULL);
            return;
        }
        state.heap = heap;
        state.capacity = capacity;
    }
    size_t i = state.size++;
    while (i > 0 && earlier(&packet, &state.heap[(i - 1) / 2])) {
        state.heap[i] = state.heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    state.heap[i] = packet;
}

static struct held pop(void) {
    struct held top = state.heap[0];
    struct held last = state.heap[--state.size];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= state.size) {
            break;
        }
        if (child + 1 < state.size && earlier(&state.heap[child + 1], &state.heap[child])) {
            child++;
        }
        if (!earlier(&state.heap[child], &last)) {
            break;
        }
        state.heap[i] = state.heap[child];
        i = child;
    }
    if (state.size > 0) {
        state.heap[i] = last;
    }
    return top;
}

/* Lets go every packet due by until_ns (all of them for UINT64_MAX). */
static void release(uint64_t until_ns) {
    while (state.size > 0 && state.heap[0].due_ns <= until_ns) {
        struct held packet = pop();
        nfq_set_verdict(state.queue, packet.packet_id, NF_ACCEPT, 0, NULL);
    }
}

static int on_packet(struct nfq_q_handle *queue, struct nfgenmsg *message, struct nfq_data *data, void *context) {
    (void) queue;
    (void) message;
    (void) context;
    struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(data);
    if (header == NULL) {
        return 0;
    }
    struct held packet = {
        .due_ns = now_ns() + (uint64_t) hold_ms() * 1000000ULL,
        .arrival = state.arrivals++,
        .packet_id = ntohl(header->packet_id),
    };
    push(packet);
    return 0;
}

/* Reads every queued packet waiting on the socket, without blocking, and holds each. */
static void drain(struct nfq_handle *handle, int fd, char *buffer, size_t size) {
    for (;;) {
        ssize_t length = recv(fd, buffer, size, MSG_DONTWAIT);
        if (length < 0) {
            if (errno == ENOBUFS) {
                continue; /* the socket overflowed: the kernel let those packets pass (fail-open) */
            }
            return; /* EAGAIN: nothing more for now; EINTR: the caller looks at stopping */
        }
        nfq_handle_packet(handle, buffer, (int) length);
    }
}

static long parse(const char *text, long min, long max, const char *what) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || end == text || value < min || value > max) {
        fprintf(stderr, "delayq: %s must be %ld to %ld, not %s\n", what, min, max, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: delayq QUEUE SEED delay BASE_MS JITTER_MS | delayq QUEUE SEED reorder PERCENT HOLD_MS\n");
        return 2;
    }
    uint16_t queue_number = (uint16_t) parse(argv[1], 0, 65535, "the queue number");
    char *end;
    errno = 0;
    state.random = strtoull(argv[2], &end, 10);
    if (errno != 0 || *end != '\0' || end == argv[2]) {
        fprintf(stderr, "delayq: the seed must be an unsigned number, not %s\n", argv[2]);
        return 2;
    }
    if (strcmp(argv[3], "delay") == 0) {
        state.mode = MODE_DELAY;
        state.base_ms = parse(argv[4], 0, 600000, "the delay (ms)");
        state.spread = parse(argv[5], 0, 600000, "the jitter (ms)");
    } else if (strcmp(argv[3], "reorder") == 0) {
        state.mode = MODE_REORDER;
        state.spread = parse(argv[4], 0, 100, "the percentage held");
        state.base_ms = parse(argv[5], 0, 600000, "the hold (ms)");
    } else {
        fprintf(stderr, "delayq: the mode is delay or reorder, not %s\n", argv[3]);
        return 2;
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    struct nfq_handle *handle = nfq_open();
    if (handle == NULL) {
        fprintf(stderr, "delayq: cannot open a netfilter queue handle: %s\n", strerror(errno));
        return 1;
    }
    state.queue = nfq_create_queue(handle, queue_number, on_packet, NULL);
    if (state.queue == NULL) {
        fprintf(stderr, "delayq: cannot bind queue %u (another program holds it?): %s\n", queue_number,
                strerror(errno));
        nfq_close(handle);
        return 1;
    }
    if (nfq_set_mode(state.queue, NFQNL_COPY_META, 0) < 0) {
        fprintf(stderr, "delayq: cannot set the copy mode: %s\n", strerror(errno));
        return 1;
    }
    nfq_set_queue_maxlen(state.queue, QUEUE_MAX_PACKETS);
    /* Whole GSO/GRO packets, not segments: nothing reads the payload, and the kernel need not split them. */
    nfq_set_queue_flags(state.queue, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
    if (nfq_set_queue_flags(state.queue, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0) {
        fprintf(stderr, "delayq: the kernel has no fail-open queues: %s\n", strerror(errno));
        return 1;
    }
    int fd = nfq_fd(handle);
    int receive_buffer = RECEIVE_BUFFER_BYTES;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer); /* not root: what we may */
    }
    printf("ready\n");
    fflush(stdout);

    char buffer[65536] __attribute__((aligned));
    while (!stopping) {
        int timeout_ms = -1;
        if (state.size > 0) {
            uint64_t now = now_ns();
            uint64_t due = state.heap[0].due_ns;
            timeout_ms = due <= now ? 0 : (int) ((due - now + 999999) / 1000000);
        }
        struct pollfd readable = { .fd = fd, .events = POLLIN };
        int ready = poll(&readable, 1, timeout_ms);
        if (ready < 0 && errno != EINTR) {
            fprintf(stderr, "delayq: poll: %s\n", strerror(errno));
            break;
        }
        if (ready > 0) {
            drain(handle, fd, buffer, sizeof buffer);
        }
        release(now_ns());
    }
    /* What was queued but not read yet would be dropped as the queue is unbound: read it, let all go. */
    drain(handle, fd, buffer, sizeof buffer);
    release(UINT64_MAX);
    nfq_destroy_queue(state.queue);
    nfq_close(handle);
    free(state.heap);
    return 0;
}
