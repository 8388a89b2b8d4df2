/* wire.c: the counting relay of wire.h. One thread polls the listener, a pipe
 * that asks it to stop, and both ends of every connection; what one end
 * sends is written to the other whole before the next poll. */
#define _GNU_SOURCE
#include "wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WIRE_CONNS 64

/* Where the reader is in the client's stream of messages. */
enum { AT_TYPE, AT_LENGTH, AT_LENGTH_MORE, AT_BODY };

typedef struct conn {
    int client, server;
    int state;
    unsigned long long left; /* of the length being read, or of the body */
    int shift;
    int replied; /* the server has sent something since the client last did */
} conn;

struct wire {
    int listener, stop[2], target;
    pthread_t thread;
    pthread_mutex_t lock;
    wire_counts counts;
    conn conns[WIRE_CONNS];
    size_t nconns;
};

static const char *const type_names[WIRE_TYPES] = {
    "MSG_ALLTERMS", "MSG_COLLFREQ", "MSG_DOCUMENT", "MSG_TERMEXISTS", "MSG_TERMFREQ",
    "MSG_VALUESTATS", "MSG_KEEPALIVE", "MSG_DOCLENGTH", "MSG_QUERY", "MSG_TERMLIST",
    "MSG_POSITIONLIST", "MSG_POSTLIST", "MSG_REOPEN", "MSG_UPDATE", "MSG_ADDDOCUMENT",
    "MSG_CANCEL_", "MSG_DELETEDOCUMENTTERM_", "MSG_COMMIT", "MSG_REPLACEDOCUMENT_",
    "MSG_REPLACEDOCUMENTTERM", "MSG_DELETEDOCUMENT", "MSG_WRITEACCESS", "MSG_GETMETADATA",
    "MSG_SETMETADATA_", "MSG_ADDSPELLING_", "MSG_REMOVESPELLING", "MSG_GETMSET",
    "MSG_SHUTDOWN", "MSG_METADATAKEYLIST", "MSG_FREQS", "MSG_UNIQUETERMS",
    "MSG_DELETEDOCUMENTTERM", "MSG_REPLACEDOCUMENT", "MSG_CANCEL", "MSG_SETMETADATA",
    "MSG_ADDSPELLING"};

const char *wire_type_name(int t)
{
    return t >= 0 && t < WIRE_TYPES ? type_names[t] : "?";
}

/* Count the messages that begin in the N bytes P the client sent on C. A
 * length is one byte below 255, or 255 followed by 7-bit groups, low first,
 * the last with its top bit set, giving the length less 255. */
static void count(wire *w, conn *c, const unsigned char *p, size_t n)
{
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < n;) {
        unsigned char b = p[i];
        switch (c->state) {
        case AT_TYPE:
            if (b < WIRE_TYPES)
                w->counts.msgs[b]++;
            else
                w->counts.other++;
            w->counts.total++;
            if (c->replied)
                w->counts.trips++;
            c->replied = 0;
            c->state = AT_LENGTH;
            i++;
            break;
        case AT_LENGTH:
            i++;
            if (b == 0xff) {
                c->left = 0;
                c->shift = 0;
                c->state = AT_LENGTH_MORE;
            } else {
                c->left = b;
                c->state = b ? AT_BODY : AT_TYPE;
            }
            break;
        case AT_LENGTH_MORE:
            i++;
            if (c->shift < 63)
                c->left |= (unsigned long long)(b & 0x7f) << c->shift;
            c->shift += 7;
            if (b & 0x80) {
                c->left += 255;
                c->state = AT_BODY;
            }
            break;
        default: {
            size_t take = n - i < c->left ? n - i : (size_t)c->left;
            i += take;
            c->left -= take;
            if (!c->left)
                c->state = AT_TYPE;
        }
        }
    }
    pthread_mutex_unlock(&w->lock);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Each message goes out as it is written, as Xapian's own sockets send: a
 * relay that let small writes wait would add a delayed acknowledgement (some
 * 40 ms) to every round trip. */
static void no_delay(int fd)
{
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        no_delay(fd);
        return fd;
    }
    if (fd >= 0)
        close(fd);
    return -1;
}

static void drop(wire *w, size_t i)
{
    close(w->conns[i].client);
    close(w->conns[i].server);
    w->conns[i] = w->conns[--w->nconns];
}

static void *relay(void *arg)
{
    wire *w = arg;
    struct pollfd fds[2 + 2 * WIRE_CONNS];
    unsigned char data[65536];
    for (;;) {
        fds[0] = (struct pollfd){.fd = w->stop[0], .events = POLLIN};
        fds[1] = (struct pollfd){.fd = w->listener, .events = POLLIN};
        size_t n = w->nconns;
        for (size_t i = 0; i < n; i++) {
            fds[2 + 2 * i] = (struct pollfd){.fd = w->conns[i].client, .events = POLLIN};
            fds[3 + 2 * i] = (struct pollfd){.fd = w->conns[i].server, .events = POLLIN};
        }
        if (poll(fds, 2 + 2 * n, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents)
            break;
        /* From the last, so that a connection dropped moves one seen. */
        for (size_t i = n; i-- > 0;) {
            conn *c = &w->conns[i];
            int bad = 0;
            if (fds[2 + 2 * i].revents) {
                ssize_t k = read(c->client, data, sizeof data);
                if (k > 0)
                    count(w, c, data, (size_t)k);
                bad = k <= 0 || write_all(c->server, data, (size_t)k) < 0;
            }
            if (!bad && fds[3 + 2 * i].revents) {
                ssize_t k = read(c->server, data, sizeof data);
                c->replied = 1;
                bad = k <= 0 || write_all(c->client, data, (size_t)k) < 0;
            }
            if (bad)
                drop(w, i);
        }
        if (fds[1].revents & POLLIN) {
            int client = accept4(w->listener, NULL, NULL, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            no_delay(client);
            int server = w->nconns < WIRE_CONNS ? connect_to(w->target) : -1;
            if (server < 0) {
                close(client);
                continue;
            }
            w->conns[w->nconns++] = (conn){client, server, AT_TYPE, 0, 0, 1};
        }
    }
    while (w->nconns)
        drop(w, w->nconns - 1);
    return NULL;
}

wire *wire_start(int target_port, int *port)
{
    wire *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->target = target_port;
    w->stop[0] = w->stop[1] = -1;
    pthread_mutex_init(&w->lock, NULL);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    w->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (w->listener >= 0 && bind(w->listener, (struct sockaddr *)&a, sizeof a) == 0 &&
        listen(w->listener, 16) == 0 &&
        getsockname(w->listener, (struct sockaddr *)&a, &len) == 0 &&
        pipe2(w->stop, O_CLOEXEC) == 0 && pthread_create(&w->thread, NULL, relay, w) == 0) {
        *port = ntohs(a.sin_port);
        return w;
    }
    if (w->listener >= 0)
        close(w->listener);
    if (w->stop[0] >= 0) {
        close(w->stop[0]);
        close(w->stop[1]);
    }
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
}

void wire_read(wire *w, wire_counts *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->counts;
    pthread_mutex_unlock(&w->lock);
}

void wire_reset(wire *w)
{
    pthread_mutex_lock(&w->lock);
    memset(&w->counts, 0, sizeof w->counts);
    pthread_mutex_unlock(&w->lock);
}

void wire_stop(wire *w)
{
    if (!w)
        return;
    close(w->stop[1]); /* the thread's poll sees the pipe hang up */
    pthread_join(w->thread, NULL);
    close(w->stop[0]);
    close(w->listener);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
