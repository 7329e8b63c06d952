/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The machine's own loopback UDP rate, the yardstick of the benchmark: one
 * flow of datagrams of the peers' size, one sendto() each, as fast as
 * possible for a bounded time; the receiver counts what arrives.
 *   udprate [SIZE] [SECONDS]     prints "udprate datagrams_per_s=R size=S"
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "mpcomm/mptime.h"

static atomic_bool done;
static atomic_ullong received;

static void *
receiver(void *arg)
{
	int fd = *(int *)arg;
	char buf[2048];

	while (!atomic_load(&done))
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			atomic_fetch_add(&received, 1);
	return NULL;
}

int
main(int argc, char **argv)
{
	size_t size = argc > 1 ? (size_t)atoi(argv[1]) : 1300;
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct timeval tv = { 0, 100000 };
	int rfd, sfd, sz = 8 << 20;
	uint64_t start, end, base;
	char buf[2048];
	pthread_t t;

	if (size < 1 || size > sizeof(buf) || secs <= 0 || secs > 30) {
		fprintf(stderr, "usage: udprate [SIZE 1..2048] [SECONDS]\n");
		return 2;
	}
	memset(buf, 0x5a, sizeof(buf));
	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(rfd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(rfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(rfd, (struct sockaddr *)&a, &alen) < 0) {
		perror("udprate: bind");
		return 1;
	}
	pthread_create(&t, NULL, receiver, &rfd);
	start = mptime_now_us();
	end = start + (uint64_t)(secs * 1e6);
	base = 0;
	while (mptime_now_us() < end) {
		int k;

		for (k = 0; k < 64; k++)
			(void)sendto(sfd, buf, size, 0, (struct sockaddr *)&a,
			    sizeof(a));
		base += 64;
	}
	end = mptime_now_us();
	mptime_sleep_us(200000);	/* let the receiver drain */
	atomic_store(&done, true);
	pthread_join(t, NULL);
	printf("udprate datagrams_per_s=%.0f size=%zu sent=%llu received=%llu\n",
	    (double)atomic_load(&received) / ((double)(end - start) / 1e6), size,
	    (unsigned long long)base,
	    (unsigned long long)atomic_load(&received));
	return 0;
}
