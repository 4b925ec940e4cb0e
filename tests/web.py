"""A local web site for the fetching tests: real HTTP on 127.0.0.1, served by aiohttp in a thread of its own.

It serves small Italian news pages (``ARTICLES``), two real pages of the extraction
benchmark, feeds in RSS 2.0, RSS 1.0 and Atom, redirects, a 404, a slow page, an
oversized page, a page in windows-1250 that declares no charset, a Polish page in ISO-8859-2
whose HTTP header and own declaration disagree, a Chinese page in GB2312, redirects into the local
network, and feeds that break, change between polls or answer 304 to their ETag.
Running in its own thread, it answers the synchronous fetcher called from the tests'
thread as well as the bot's worker threads.

Test-side API: ``site.url(path)``, ``site.routes[path] = handler`` (an ``async def
handler(request) -> web.Response``), ``site.hits(path)`` (the requests' headers, in
order), ``site.feeds[path] = [slugs…]`` (the items a feed lists, changeable between polls).
"""

from __future__ import annotations

import asyncio
import gzip
import html
import ssl
import threading
from pathlib import Path

from aiohttp import web

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction" / "html"  # ../shared beside the repository
BENCH_PAGES = {  # two Italian pages of the benchmark (see its README): id -> path served
    "20b2b64916b00b25203c9f1bf14248922f4d522f18328e9f876cce116df0083e": "/remember/black-friday.html",
    "b6fb53e9fb043c98eb1e6530a1074c40922e29025f5454809f3938a7c174faa3": "/remember/cavalieri-zodiaco.html",
}

ARTICLES = {  # slug -> (title, date stated by the page or None, paragraphs)
    "vilnius": (
        "Vertice a Vilnius sulla difesa del Baltico", "2026-11-28",
        ["I ministri della Difesa di Lituania, Lettonia ed Estonia si sono incontrati a Vilnius per due giorni di colloqui.",
         "Hanno deciso di acquistare insieme sistemi di difesa aerea a medio raggio, con una gara comune che partirà a gennaio.",
         "Il ministro lituano ha detto che la spesa sarà divisa in parti uguali e che i primi sistemi arriveranno entro il 2028."],
    ),
    "porto": (
        "Porto di Trieste, record di container nel 2026", None,
        ["Il porto di Trieste ha movimentato nei primi dieci mesi dell'anno oltre novecentomila container, un record.",
         "L'Autorità portuale attribuisce la crescita ai nuovi collegamenti ferroviari con l'Austria e la Baviera.",
         "Il presidente dello scalo ha annunciato un piano di investimenti da duecento milioni per il molo ottavo."],
    ),
    "energia": (
        "Bollette, il governo proroga gli aiuti alle famiglie", "2026-11-25",
        ["Il Consiglio dei ministri ha approvato la proroga del bonus sociale per le bollette di luce e gas fino a marzo.",
         "Ne beneficeranno circa due milioni e mezzo di famiglie con un reddito inferiore a quindicimila euro.",
         "La misura costa quattrocento milioni, coperti con le entrate delle aste sulle emissioni di anidride carbonica."],
    ),
    "scuola": (
        "Scuola, assunti diecimila insegnanti di sostegno", "2026-11-20",
        ["Il ministero dell'Istruzione ha firmato il decreto che assume diecimila insegnanti di sostegno a tempo indeterminato.",
         "Le nomine arriveranno entro dicembre e copriranno soprattutto le regioni del Nord, dove i posti vacanti sono di più.",
         "I sindacati chiedono che la stessa procedura sia usata anche per i collaboratori scolastici."],
    ),
    "alluvione": (
        "Alluvione in Romagna, stanziati i fondi per gli argini", "2026-11-18",
        ["La struttura commissariale ha stanziato centoventi milioni per rifare gli argini del Lamone e del Savio.",
         "I lavori cominceranno in primavera e dovranno finire prima dell'autunno, quando tornano le piogge.",
         "I sindaci della zona chiedono tempi certi e un calendario dei cantieri pubblicato ogni mese."],
    ),
    "treni": (
        "Alta velocità, la nuova linea Napoli-Bari apre a giugno", "2026-11-15",
        ["La nuova linea ad alta velocità tra Napoli e Bari aprirà al traffico a giugno, con due anni di ritardo.",
         "Il viaggio durerà due ore invece delle attuali quattro, con dieci collegamenti al giorno per direzione.",
         "Le Ferrovie dello Stato hanno detto che il costo finale dell'opera è di sei miliardi di euro."],
    ),
    "vino": (
        "Vendemmia, il Friuli produce meno vino ma di qualità", None,
        ["La vendemmia in Friuli Venezia Giulia si è chiusa con un calo del quindici per cento della produzione.",
         "Il caldo di agosto ha ridotto le rese, ma i produttori giudicano ottima la qualità delle uve bianche.",
         "Il consorzio prevede prezzi in aumento per il Friulano e la Ribolla gialla nella prossima stagione."],
    ),
    "ospedale": (
        "Udine, inaugurato il nuovo pronto soccorso", "2026-11-10",
        ["All'ospedale di Udine è stato inaugurato il nuovo pronto soccorso, con trenta posti letto di osservazione.",
         "La Regione ha investito venticinque milioni e prevede di ridurre le attese del quaranta per cento.",
         "Il direttore sanitario ha spiegato che il personale sarà rafforzato con venti infermieri in più."],
    ),
}

CZECH = (  # a Czech article in windows-1250: letters (ř, ě, ů, č) that other encodings read differently
    "Praha: vláda schválila rozpočet na příští rok",
    ["Vláda v pondělí schválila návrh státního rozpočtu na příští rok se schodkem dvě stě třicet miliard korun.",
     "Ministr financí řekl, že největší část výdajů půjde na důchody, zdravotnictví a opravy železničních tratí.",
     "Poslanci budou o rozpočtu hlasovat v prosinci; opozice žádá, aby se schodek ještě snížil o deset miliard."],
)

POLISH = (  # a Polish article: letters (ą, ś, ź, ł) that windows-1250 and ISO-8859-2 write with different bytes
    "Warszawa: Sejm przyjął budżet na przyszły rok",
    ["Sejm przyjął w piątek ustawę budżetową na przyszły rok, z deficytem wynoszącym dwieście czterdzieści miliardów złotych.",
     "Minister finansów powiedział, że największa część wydatków trafi na emerytury, służbę zdrowia i remonty linii kolejowych.",
     "Posłowie opozycji żądają, aby rząd jeszcze w tym miesiącu przedstawił plan zmniejszenia zadłużenia o dziesięć miliardów."],
)
CHINESE = (  # a Chinese article, every character in GB2312
    "北京：国务院部署稳就业工作",
    ["国务院总理今天在北京主持召开国务院常务会议，部署进一步做好稳就业工作。",
     "会议决定延续实施部分减税降费政策，支持中小企业吸纳更多高校毕业生就业。",
     "会议指出，今年以来各地区各部门认真落实各项政策，就业形势总体稳定。"],
)


def article_page(title: str, date: str | None, paragraphs: list[str], charset: str | None = "utf-8", lang: str = "it") -> str:
    """A news page as a small newspaper's site serves it: navigation, the article, a footer."""
    meta = f'<meta charset="{charset}">' if charset else ""
    dated = f'<meta property="article:published_time" content="{date}T09:30:00+01:00">' if date else ""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta}<title>{html.escape(title)} - Il Piccolo Quotidiano</title>{dated}
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><nav><a href="/">Home</a> <a href="/cronaca">Cronaca</a> <a href="/economia">Economia</a>
<a href="/sport">Sport</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
{body}
</article></main>
<footer><p>&copy; Il Piccolo Quotidiano - P.IVA 00000000000 - Tutti i diritti riservati</p></footer></body></html>"""


def page_of(slug: str) -> str:
    title, date, paragraphs = ARTICLES[slug]
    return article_page(title, date, paragraphs)


FEED_DATES = {slug: f"2026-10-{number + 1:02d}" for number, slug in enumerate(ARTICLES)}  # items' dates in feeds


def rss2(site: "WebSite", slugs: list[str], extra: str = "") -> str:
    items = "".join(
        f"<item><title>{html.escape(ARTICLES[s][0])}</title><link>{site.url('/notizie/' + s + '.html')}</link>"
        f"<guid>{site.url('/notizie/' + s + '.html')}</guid><pubDate>{rfc822(FEED_DATES[s])}</pubDate></item>"
        for s in slugs
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Il Piccolo - Cronaca</title>'
            f"<link>{site.url('/')}</link><description>Le notizie</description>{extra}{items}</channel></rss>")


def rss1(site: "WebSite", slugs: list[str]) -> str:
    links = "".join(f'<rdf:li rdf:resource="{site.url("/notizie/" + s + ".html")}"/>' for s in slugs)
    items = "".join(
        f'<item rdf:about="{site.url("/notizie/" + s + ".html")}"><title>{html.escape(ARTICLES[s][0])}</title>'
        f"<link>{site.url('/notizie/' + s + '.html')}</link><dc:date>{FEED_DATES[s]}T08:00:00Z</dc:date></item>"
        for s in slugs
    )
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{site.url("/rss1.rdf")}"><title>Il Piccolo - Economia</title>'
            f"<link>{site.url('/')}</link><description>Economia</description><items><rdf:Seq>{links}</rdf:Seq></items>"
            f"</channel>{items}</rdf:RDF>")


def atom(site: "WebSite", slugs: list[str]) -> str:
    entries = "".join(
        f"<entry><title>{html.escape(ARTICLES[s][0])}</title>"
        f'<link rel="alternate" href="{site.url("/notizie/" + s + ".html")}"/>'
        f"<id>urn:piccolo:{s}</id><updated>{FEED_DATES[s]}T07:00:00Z</updated>"
        f"<published>{FEED_DATES[s]}T07:00:00Z</published></entry>"
        for s in slugs
    )
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Il Piccolo - Regione</title><id>urn:piccolo:regione</id><updated>2026-11-30T00:00:00Z</updated>"
            f"{entries}</feed>")


def rfc822(date: str) -> str:
    import datetime as dt
    from email.utils import format_datetime

    return format_datetime(dt.datetime.fromisoformat(date + "T06:00:00+00:00"))


class WebSite:
    """The local site. ``async with`` is not needed: ``start()`` and ``stop()`` from any thread."""

    def __init__(self, tls: "ssl.SSLContext | None" = None):
        self.tls = tls  # served over HTTPS with this context when given
        self.routes: dict[str, object] = {}
        self.feeds: dict[str, list[str]] = {}
        self._hits: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="web-site", daemon=True)
        self.port = 0

    def start(self) -> "WebSite":
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        self._add_routes()
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _serve(self) -> int:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.tls)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [headers for hit, headers in self._hits if hit == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self._hits.append((request.path, dict(request.headers)))
        if request.path in self.feeds:
            return await self._feed(request)
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="<h1>404 Pagina non trovata</h1>", content_type="text/html")
        return await handler(request)

    async def _feed(self, request: web.Request) -> web.Response:
        slugs = self.feeds[request.path]
        kind = {".rdf": rss1, ".atom": atom}.get(Path(request.path).suffix, rss2)
        body = kind(self, slugs)
        etag = f'"{abs(hash(body)) % 10**12}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        types = {rss1: "application/rdf+xml", atom: "application/atom+xml", rss2: "application/rss+xml"}
        return web.Response(body=body.encode(), headers={"ETag": etag, "Content-Type": types[kind]})

    def _add_routes(self) -> None:
        for slug in ARTICLES:
            self.routes[f"/notizie/{slug}.html"] = _html(page_of(slug))
        self.routes["/amp/vilnius.html"] = _html(page_of("vilnius").replace("Il Piccolo Quotidiano", "Il Piccolo AMP"))
        for bench_id, path in BENCH_PAGES.items() if BENCH.is_dir() else ():  # the benchmark is not in the repository
            self.routes[path] = _html(gzip.decompress((BENCH / f"{bench_id}.html.gz").read_bytes()).decode("utf-8"))
        czech = article_page(CZECH[0], "2026-11-29", CZECH[1], charset=None, lang="cs").encode("cp1250")
        self.routes["/praha.html"] = _raw(czech, "text/html")
        # the HTTP header says ISO-8859-2 and the page says windows-1250: the header wins, as in browsers
        polish = article_page(POLISH[0], "2026-11-27", POLISH[1], charset="windows-1250", lang="pl").encode("iso-8859-2")
        self.routes["/warszawa.html"] = _raw(polish, "text/html; charset=iso-8859-2")
        chinese = article_page(CHINESE[0], "2026-11-26", CHINESE[1], charset=None, lang="zh").encode("gb2312")
        self.routes["/beijing.html"] = _raw(chinese, "text/html; charset=GB2312")
        self.routes["/beijing-undeclared.html"] = _raw(chinese, "text/html")
        for hop in range(1, 7):  # /vai/1 → /vai/2 → … → /vai/6 → the page: six redirects
            self.routes[f"/vai/{hop}"] = _redirect(f"/vai/{hop + 1}" if hop < 6 else "/notizie/treni.html")
        self.routes["/corto"] = _redirect("/vai/3")  # five redirects: the most allowed
        self.routes["/fuori"] = _redirect("http://10.0.0.7/interno")
        self.routes["/ftp"] = _redirect("ftp://127.0.0.1/pub/notizie.html")
        self.routes["/metadati"] = _redirect("http://169.254.169.254/latest/meta-data/")
        self.routes["/lento.html"] = _slow(page_of("scuola"), seconds=3.0)
        self.routes["/enorme.html"] = _huge(6 * 1024 * 1024)
        self.routes["/documento.pdf"] = _raw(b"%PDF-1.4\n...", "application/pdf")
        self.routes["/errore.xml"] = _error(500)
        self.routes["/spazzatura.xml"] = _raw(bytes(range(256)) * 40, "application/rss+xml")


def _html(text: str):
    async def handler(request):
        return web.Response(text=text, content_type="text/html", charset="utf-8")
    return handler


def _raw(body: bytes, content_type: str):
    async def handler(request):
        return web.Response(body=body, headers={"Content-Type": content_type})
    return handler


def _redirect(location: str):
    async def handler(request):
        return web.Response(status=302, headers={"Location": location})
    return handler


def _error(status: int):
    async def handler(request):
        return web.Response(status=status, text="Internal Server Error")
    return handler


def _slow(text: str, seconds: float):
    async def handler(request):
        await asyncio.sleep(seconds)
        return web.Response(text=text, content_type="text/html")
    return handler


def _huge(size: int):
    """A page larger than the limit, sent without a Content-Length (chunked): it must be counted."""
    async def handler(request):
        response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = ("<p>" + "Notizia lunghissima. " * 500 + "</p>\n").encode()
        sent = 0
        try:
            while sent < size:
                await response.write(chunk)
                sent += len(chunk)
        except (ConnectionResetError, RuntimeError):
            pass  # the client gave up, as it should
        return response
    return handler
