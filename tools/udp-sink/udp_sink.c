// SPDX-License-Identifier: GPL-2.0
/*
 * udp-sink PORT SECONDS: the lab's counting UDP receiver. It binds [::]:PORT
 * (IPv4 too), prints "ready", takes datagrams until SIGTERM or SIGINT (at
 * most SECONDS), reads what is still queued, then prints one JSON line:
 * {"received","unique","corrupt","dropped"}.
 *
 * It exists so that a loss in a test is the router's, never the receiver's:
 * the receive buffer is forced far above net.core.rmem_max (SO_RCVBUFFORCE,
 * root only), so a receiver starved of CPU for seconds still loses nothing,
 * and whatever the socket did drop is read back from the kernel
 * (SO_MEMINFO's drop count) and reported, not guessed.
 *
 * A datagram of the lab's stream is 64 bytes: the magic at 0, a big-endian
 * sequence number at 60 (router/lab/udp.ts writes them).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC		"xdp-router-lab"
#define DATAGRAM_LEN	64
#define SEQ_OFFSET	60
/* far above any stream a test sends: 80,000 datagrams of ~1 KiB truesize fit */
#define RCVBUF_BYTES	(256 << 20)
#define BATCH		64
#define SEQ_LIMIT	(1u << 27)

static volatile sig_atomic_t stopping;

static void stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "udp-sink: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6 };
	unsigned char bufs[BATCH][DATAGRAM_LEN + 1];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	unsigned long received = 0, unique = 0, corrupt = 0;
	uint32_t meminfo[SK_MEMINFO_VARS] = {};
	socklen_t meminfo_len = sizeof(meminfo);
	struct sigaction sa = { .sa_handler = stop };	/* no SA_RESTART: poll returns */
	int off = 0, rcvbuf = RCVBUF_BYTES;
	double deadline;
	uint8_t *seen;
	int fd, i;

	if (argc != 3) {
		fprintf(stderr, "usage: udp-sink PORT SECONDS\n");
		return 2;
	}
	seen = calloc(SEQ_LIMIT / 8, 1);
	if (!seen)
		die("calloc");
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)))
		die("IPV6_V6ONLY");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUFFORCE (needs CAP_NET_ADMIN)");
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		die("sigaction");
	addr.sin6_port = htons(atoi(argv[1]));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("bind");
	printf("ready\n");
	fflush(stdout);

	for (i = 0; i < BATCH; i++) {
		iovs[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iovs[i], .msg_iovlen = 1 } };
	}
	deadline = now_s() + atof(argv[2]);
	for (;;) {
		double left = deadline - now_s();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n;

		/* once told to stop, only what is already queued is read */
		if (!stopping && left > 0 && poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (stopping || left <= 0)
					break;
				continue;
			}
			die("recvmmsg");
		}
		for (i = 0; i < n; i++) {
			const unsigned char *b = bufs[i];
			uint32_t seq;

			received++;
			if (msgs[i].msg_len != DATAGRAM_LEN || memcmp(b, MAGIC, strlen(MAGIC))) {
				corrupt++;
				continue;
			}
			seq = (uint32_t)b[SEQ_OFFSET] << 24 | b[SEQ_OFFSET + 1] << 16 |
			      b[SEQ_OFFSET + 2] << 8 | b[SEQ_OFFSET + 3];
			if (seq >= SEQ_LIMIT) {
				corrupt++;
				continue;
			}
			if (!(seen[seq / 8] & (1u << (seq % 8)))) {
				seen[seq / 8] |= 1u << (seq % 8);
				unique++;
			}
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &meminfo_len))
		die("SO_MEMINFO");
	printf("{\"received\":%lu,\"unique\":%lu,\"corrupt\":%lu,\"dropped\":%u}\n",
	       received, unique, corrupt, meminfo[SK_MEMINFO_DROPS]);
	return 0;
}
