/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The replay page's template, embedded at build time (embed.sh makes
 * page.c from replay.html, replay.css and replay.js).  replay.html holds
 * each marker once: html.c puts the CSS, the run's JSON and the script
 * there.
 */
#ifndef CS_PAGE_H
#define CS_PAGE_H

#define PAGE_CSS_MARK	"/*@CSS@*/"
#define PAGE_DATA_MARK	"/*@DATA@*/"
#define PAGE_JS_MARK	"/*@JS@*/"

extern const char page_html[];
extern const char page_css[];
extern const char page_js[];

#endif
