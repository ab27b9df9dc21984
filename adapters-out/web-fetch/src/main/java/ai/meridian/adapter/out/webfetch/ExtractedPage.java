package ai.meridian.adapter.out.webfetch;

/** What extraction keeps of a page: its title, main text and publication date (empty when unknown). */
record ExtractedPage(String title, String text, String publishedDate) {
}
