// Package preview makes link preview cards: it picks the first link of a
// status worth a preview ([FirstLink]) and fetches that page through the
// guarded client to build a [store.PreviewCard] from its OpenGraph, Twitter
// card and plain HTML metadata ([Fetch]).
//
// Cards are embed-free: Roost makes only "link" and "photo" cards, never
// "video" or "rich" ones, and never produces HTML; there is no oEmbed.
//
// Only the first MiB of a page is read, and reading stops at the
// end of its <head> when a title has been found there, so a large page costs
// little more than a small one.
package preview
