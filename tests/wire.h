/* wire.h: a relay on loopback that counts the messages a Xapian remote
 * client sends to xapian-tcpsrv.
 *
 * wire_start() listens on a free loopback port and passes every connection
 * made to it on to the server at TARGET_PORT, byte for byte, on a thread of
 * its own. What the clients send is read as the remote protocol frames it (a
 * type byte, an encoded length, the body) and each message is counted by its
 * type; a message that is the first a connection sends after a reply (one
 * the client waited for) also counts as a round trip. A message is counted
 * before it is passed on, so once a call that sent it has returned, the count
 * holds it. */
#ifndef RUBRIC_TESTS_WIRE_H
#define RUBRIC_TESTS_WIRE_H

/* Xapian 1.4's remote protocol (version 39) has 36 message types. */
#define WIRE_TYPES 36

/* The types counted by name (the protocol's MSG_ values). */
enum {
    WIRE_ALLTERMS = 0, WIRE_DOCUMENT = 2, WIRE_TERMFREQ = 4, WIRE_DOCLENGTH = 7, WIRE_QUERY = 8,
    WIRE_TERMLIST = 9, WIRE_REOPEN = 12, WIRE_GETMETADATA = 22, WIRE_GETMSET = 26
};

typedef struct wire wire;

typedef struct wire_counts {
    unsigned long msgs[WIRE_TYPES]; /* by type */
    unsigned long other;            /* of a type past the table */
    unsigned long total;            /* every message */
    unsigned long trips;            /* the first after each reply: waits for the server */
} wire_counts;

/* A relay to 127.0.0.1:TARGET_PORT; *PORT is where it listens. NULL when the
 * socket or the thread could not be had. */
wire *wire_start(int target_port, int *port);

/* What has been sent through W since it started or was last reset. */
void wire_read(wire *w, wire_counts *out);
void wire_reset(wire *w);

/* The protocol's name for message type T ("MSG_TERMFREQ"), or "?". */
const char *wire_type_name(int t);

/* Close every connection and the listener, and join the thread. */
void wire_stop(wire *w);

#endif
