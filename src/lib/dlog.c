/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Delivery log writer and parsers.  The body is written through a private
 * buffer with write(2), so the peer can append under its core mutex without
 * a syscall per message; the header is prepended at the end by copying the
 * body once into the final file.
 */
#define _GNU_SOURCE		/* copy_file_range */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "mpcomm/ctl.h"
#include "mpcomm/dlog.h"

#define DLOG_BUF	(256 * 1024)

struct dlog {
	int		 fd;
	int		 err;		/* first write error, sticky */
	uint64_t	 run;
	unsigned	 peer;
	uint64_t	 count;		/* message lines */
	uint64_t	 views;		/* view lines */
	size_t		 len;
	dev_t		 dev;		/* the final file, as dlog_finish() */
	ino_t		 ino;		/* wrote it (0, 0: not yet) */
	char		 part[DLOG_DIR_MAX + 64];	/* + "/run<R>-peer<I>.log.part" */
	char		 path[DLOG_DIR_MAX + 64];
	char		 buf[DLOG_BUF];
};

struct dlog *
dlog_open(const char *dir, uint64_t run, unsigned peer)
{
	struct dlog *d;
	int n, m;

	if (strlen(dir) > DLOG_DIR_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!(d = malloc(sizeof(*d))))
		return NULL;
	d->err = 0;
	d->dev = 0;
	d->ino = 0;
	d->run = run;
	d->peer = peer;
	d->count = 0;
	d->views = 0;
	d->len = 0;
	n = snprintf(d->path, sizeof(d->path), "%s/run%" PRIu64 "-peer%u.log",
	    dir, run, peer);
	m = snprintf(d->part, sizeof(d->part), "%s.part", d->path);
	if (n < 0 || (size_t)n >= sizeof(d->path) || m < 0 ||
	    (size_t)m >= sizeof(d->part)) {
		free(d);
		errno = ENAMETOOLONG;
		return NULL;
	}
	/* Never over the log of another run, finished or not. */
	if (access(d->path, F_OK) == 0) {
		free(d);
		errno = EEXIST;
		return NULL;
	}
	d->fd = open(d->part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (d->fd < 0) {
		free(d);
		return NULL;
	}
	return d;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
drain(struct dlog *d)
{
	if (d->len && !d->err && write_all(d->fd, d->buf, d->len) < 0)
		d->err = errno ? errno : EIO;
	d->len = 0;
	if (d->err) {
		errno = d->err;
		return -1;
	}
	return 0;
}

/* Decimal digits of v at p (reversed build); returns the length. */
static size_t
put_dec(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

int
dlog_append(struct dlog *d, unsigned sender, uint32_t seq, uint64_t ts)
{
	char *p;

	if (DLOG_BUF - d->len < 64 && drain(d) < 0)
		return -1;
	p = d->buf + d->len;
	p += put_dec(p, sender);
	*p++ = ' ';
	p += put_dec(p, seq);
	*p++ = ' ';
	p += put_dec(p, ts);
	*p++ = '\n';
	d->len = (size_t)(p - d->buf);
	d->count++;
	if (d->err) {
		errno = d->err;
		return -1;
	}
	return 0;
}

int
dlog_format_view(char *buf, size_t cap, uint32_t v, uint64_t members)
{
	size_t len;
	unsigned i;
	int n;

	n = snprintf(buf, cap, "# view=%" PRIu32 " members=", v);
	if (n < 0 || (size_t)n >= cap)
		return n;
	len = (size_t)n;
	for (i = 0; i < 64; i++) {
		if (!(members >> i & 1))
			continue;
		n = snprintf(buf + len, cap - len, "%s%u",
		    buf[len - 1] == '=' ? "" : ",", i);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	return (int)len;
}

int
dlog_append_view(struct dlog *d, uint32_t v, uint64_t members)
{
	int n;

	/* The longest line: 64 ids of up to 2 digits and commas, < 256. */
	if (v == 0 || members == 0) {
		errno = EINVAL;
		return -1;
	}
	if (DLOG_BUF - d->len < 256 && drain(d) < 0)
		return -1;
	n = dlog_format_view(d->buf + d->len, DLOG_BUF - d->len, v, members);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	d->len += (size_t)n;
	d->buf[d->len++] = '\n';
	d->views++;
	if (d->err) {
		errno = d->err;
		return -1;
	}
	return 0;
}

uint64_t
dlog_count(const struct dlog *d)
{
	return d->count;
}

uint64_t
dlog_views(const struct dlog *d)
{
	return d->views;
}

int
dlog_format_header(char *buf, size_t cap, const struct dlog_header *h)
{
	return snprintf(buf, cap, "# run=%" PRIu64 " peer=%u order=%s status=%s",
	    h->run, h->peer, h->order, h->status);
}

int
dlog_finish(struct dlog *d, const char *order, const char *status)
{
	struct dlog_header h;
	struct stat st;
	char line[128];
	int in = -1, out = -1, n, e;
	ssize_t r;

	if (drain(d) < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	h.run = d->run;
	h.peer = d->peer;
	snprintf(h.order, sizeof(h.order), "%s", order);
	snprintf(h.status, sizeof(h.status), "%s", status);
	n = dlog_format_header(line, sizeof(line) - 1, &h);
	line[n++] = '\n';
	if ((out = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0)
		return -1;
	if (write_all(out, line, (size_t)n) < 0)
		goto fail;
	if ((in = open(d->part, O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	/* In the kernel where it can (no copy through user space) ... */
	while ((r = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	/* ... else by hand, from where it stopped. */
	while (r < 0 && (r = read(in, d->buf, DLOG_BUF)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write_all(out, d->buf, (size_t)r) < 0)
			goto fail;
		r = -1;
	}
	close(in);
	if (fstat(out, &st) < 0)
		goto fail;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	if (close(out) < 0) {
		out = -1;
		goto fail;
	}
	close(d->fd);
	d->fd = -1;
	unlink(d->part);
	return 0;
fail:
	e = errno;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	errno = e;
	return -1;
}

int
dlog_open_final(const struct dlog *d)
{
	struct stat st;
	int fd, e;

	if (d->ino == 0 && d->dev == 0) {
		errno = ENOENT;
		return -1;
	}
	/* A symlink or another file put there since is not ours to send. */
	if ((fd = open(d->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != d->dev ||
	    st.st_ino != d->ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

const char *
dlog_path(const struct dlog *d)
{
	return d->path;
}

void
dlog_close(struct dlog *d)
{
	if (!d)
		return;
	if (d->fd >= 0) {
		(void)drain(d);
		close(d->fd);
	}
	free(d);
}

int
dlog_parse_header(const char *line, struct dlog_header *h)
{
	struct ctl_msg m;
	uint64_t v;

	if (strncmp(line, "# ", 2) != 0)
		return -1;
	/* "#" stands where a control line has its verb. */
	if (ctl_parse(line, strlen(line), &m) < 0 || strcmp(m.verb, "#") != 0)
		return -1;
	memset(h, 0, sizeof(*h));
	if (ctl_get_u64(&m, "run", 0, UINT64_MAX, 1, &h->run) < 0 ||
	    ctl_get_u64(&m, "peer", 0, 63, 1, &v) < 0 ||
	    ctl_get_str(&m, "order", 1, h->order, sizeof(h->order)) < 0 ||
	    ctl_get_str(&m, "status", 1, h->status, sizeof(h->status)) < 0 ||
	    ctl_check_unused(&m) < 0)
		return -1;
	h->peer = (unsigned)v;
	return 0;
}

/* One decimal field ending at a space or at the end; strict. */
static const char *
dec_field(const char *p, uint64_t max, uint64_t *out, char end)
{
	uint64_t v = 0;
	const char *start = p;

	while (*p >= '0' && *p <= '9') {
		if (v > (max - (uint64_t)(*p - '0')) / 10)
			return NULL;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (p == start || p - start > 20 || *p != end)
		return NULL;
	*out = v;
	return p;
}

int
dlog_parse_entry(const char *line, unsigned *sender, uint32_t *seq,
    uint64_t *ts)
{
	uint64_t a, b, c;
	const char *p = line;

	if (!(p = dec_field(p, 63, &a, ' ')) ||
	    !(p = dec_field(p + 1, UINT32_MAX, &b, ' ')) ||
	    !(p = dec_field(p + 1, UINT64_MAX, &c, '\0')))
		return -1;
	*sender = (unsigned)a;
	*seq = (uint32_t)b;
	*ts = c;
	return 0;
}

int
dlog_is_view(const char *line)
{
	return strncmp(line, "# view=", 7) == 0;
}

int
dlog_parse_view(const char *line, uint32_t *v, uint64_t *members)
{
	const char *p, *q;
	uint64_t view, id, mask = 0;
	int last = -1;

	if (!dlog_is_view(line) ||
	    !(p = dec_field(line + 7, UINT32_MAX, &view, ' ')) || view == 0 ||
	    strncmp(p + 1, "members=", 8) != 0)
		return -1;
	p += 9;
	/* Ids strictly ascending, so that a view has one spelling. */
	for (;;) {
		if (!(q = dec_field(p, 63, &id, ',')) &&
		    !(q = dec_field(p, 63, &id, '\0')))
			return -1;
		if ((int)id <= last)
			return -1;
		last = (int)id;
		mask |= UINT64_C(1) << id;
		if (*q == '\0')
			break;
		p = q + 1;
	}
	*v = (uint32_t)view;
	*members = mask;
	return 0;
}
