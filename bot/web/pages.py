"""The HTML of the web pages: no script or font from elsewhere, high contrast, readable when zoomed.

Everything a person or the bot wrote is escaped. The screen's script (inline, a few lines) only
listens to server-sent events and swaps in the new content; the voting pages work without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

from bot.web.port import WebChat, WebMessage
from facilitation.i18n import t

CSS = """
:root{color-scheme:dark}
*{box-sizing:border-box}
body{margin:0;background:#000;color:#fff;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
line-height:1.35}
a{color:#ffd24d}
:focus-visible{outline:4px solid #ffd24d;outline-offset:3px}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:#000;padding:.5rem}
main,header{padding:1rem 1.5rem}
.msg{white-space:pre-line;overflow-wrap:anywhere}
button,input{font:inherit;font-size:1.15rem}
button{background:#ffd24d;color:#000;border:2px solid #fff;border-radius:.5rem;padding:.7rem 1rem;margin:.25rem;
min-height:3rem;min-width:3rem;cursor:pointer}
input[type=text]{padding:.6rem;border:2px solid #fff;background:#111;color:#fff;border-radius:.4rem;max-width:100%}
.notice{border:3px solid #ffd24d;padding:.75rem;border-radius:.5rem;margin:.75rem 0}
.alert{border-color:#ff8080}
"""

SCREEN_CSS = """
body{font-size:clamp(16px,1.9vw,40px);height:100vh;overflow:auto}
.screen{display:grid;grid-template-columns:minmax(0,1fr) clamp(230px,23vw,460px);gap:1.2rem;padding:1rem 1.4rem;
min-height:100vh}
.side{display:flex;flex-direction:column;gap:.5rem}
h1{font-size:1.15em;margin:0}
.join{font-size:.6em;margin:0}
.code{font-size:1.6em;font-weight:700;letter-spacing:.1em;color:#ffd24d;margin:0}
.qr{display:block;background:#fff;padding:.5rem;border-radius:.4rem}
.qr svg{width:100%;height:auto;display:block}
.feed{min-width:0}
.block{display:flex;flex-wrap:wrap;gap:.7rem 1rem;align-items:flex-start}
.feed .msg{flex:1 1 100%;margin:0;font-size:1em;border-left:.3em solid #ffd24d;padding-left:.6em}
.feed .msg.head{font-size:1.05em}
.feed .msg.head.long{font-size:.7em;order:2}
.feed .msg.tally{font-size:.85em;border-color:#8fd3ff}
.feed .msg.statement{font-size:.8em;border-color:#fff}
.feed .msg.statement.latest{font-size:1.7em;font-weight:600;border-color:#ffd24d}
.feed figure{flex:1 1 100%;margin:0;background:#fff;color:#000;padding:.4rem;border-radius:.3rem;order:1}
.feed img{width:100%;height:auto;max-height:74vh;object-fit:contain;display:block}
.block.many figure{flex:1 1 45%}
.block.many img{max-height:34vh}
.feed figcaption{font-size:.55em;padding:.2em .4em}
.status{font-size:.5em;color:#ccc;margin:0}
.code .label{font-size:.35em;letter-spacing:0;color:#ccc;font-weight:400}
"""

NOSCRIPT_REFRESH = 20  # seconds: a waiting page without JavaScript reloads itself this often

PHONE_CSS = """
body{font-size:1.15rem;max-width:40rem;margin:0 auto}
h1{font-size:1.5rem}
.msg{margin:1rem 0 .4rem}
.row{display:flex;flex-wrap:wrap}
form.inline{display:inline}
img{max-width:100%;height:auto;background:#fff}
.lang{margin-top:1rem}
.lang button{background:#000;color:#ffd24d}
.lang button[aria-current]{background:#ffd24d;color:#000}
.waiting{border:2px dashed #8fd3ff;padding:.75rem;border-radius:.5rem}
"""


def page(title: str, body: str, *, css: str, lang: str, head: str = "") -> str:
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{CSS}{css}</style>{head}</head><body>{body}</body></html>"
    )


def current_block(messages: list[WebMessage]) -> list[WebMessage]:
    """The messages of the latest post: a run of texts without buttons starts one (a round's intro
    and tally, a step's "Påstående 2 (2 av 7):", a closed round's result), the statements with
    their buttons and the charts that follow belong to it."""
    start = 0
    for index, message in enumerate(messages):
        plain = message.png is None and not message.buttons
        before = messages[index - 1] if index else None
        if plain and (before is None or before.png is not None or before.buttons):
            start = index
    return messages[start:]


def screen_feed(
    messages: list[WebMessage],
    image_url: Callable[[int], str],
    lang: str,
    is_tally: Callable[[str], bool],
    heading_end: Callable[[str], int] = lambda text: 0,
) -> str:
    """The screen's changing part: the latest post large (its statements, its charts), and the
    live tally of the round above it when the post is a later one with buttons (a step of step
    mode); ``is_tally``: whether a text is a round's intro with its tally; ``heading_end``: where
    the heading a text opens with ends (0: none), shown on top as a message of its own (a close's
    "Omgången … är stängd. Här är resultatet:" opens its result text)."""
    if not messages:
        return f'<p class="msg latest">{escape(t("web.nothing_yet", lang))}</p>'
    block = current_block(messages)
    parts = []
    statements = [m for m in block if m.buttons]
    tallies = [m for m in messages if m.png is None and not m.buttons and is_tally(m.text)]
    if statements and tallies and tallies[-1] not in block:  # kept in view while its round goes on
        parts.append(f'<p class="msg tally" id="m{tallies[-1].id}">{escape(tallies[-1].text)}</p>')
    images = [m for m in block if m.png is not None]
    for message in block:
        if message.png is not None:
            caption, alt = escape(message.caption), escape(message.alt_text or message.caption)
            parts.append(
                f'<figure><img src="{escape(image_url(message.id))}" alt="{alt}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
            continue
        if message.buttons:
            cls = "msg statement latest" if len(statements) == 1 else "msg statement"
            parts.append(f'<p class="{cls}" id="m{message.id}">{escape(message.text)}</p>')
            continue
        text, cut = message.text, heading_end(message.text)
        if cut:
            parts.append(f'<p class="msg head" id="m{message.id}">{escape(text[:cut].rstrip())}</p>')
            text = text[cut:].lstrip("\n")
        cls = "msg head long" if len(text) > 400 else "msg head"
        anchor = "" if cut else f' id="m{message.id}"'  # the message's id is on its heading
        parts.append(f'<p class="{cls}"{anchor}>{escape(text)}</p>')
    many = " many" if len(images) > 2 else ""
    return f'<div class="block{many}">{"".join(parts)}</div>'


SCREEN_SCRIPT = """<script>
document.addEventListener('DOMContentLoaded',function(){var feed=document.getElementById('feed');var base=location.pathname;
var busy=false,again=false;
function load(){if(busy){again=true;return;}busy=true;
fetch(base+'/innehall',{cache:'no-store'}).then(function(r){if(r.ok)return r.text();throw r.status;})
.then(function(h){feed.innerHTML=h;feed.setAttribute('data-version',String(Date.now()));}).catch(function(){})
.then(function(){busy=false;if(again){again=false;load();}});}
var es=new EventSource(base+'/handelser');es.onmessage=load;});
</script>"""


def screen_page(
    *,
    title: str,
    code: str,
    qr_svg: str,
    qr_link: str,
    join_url: str,
    feed: str,
    lang: str,
    telegram_link: str | None,
) -> str:
    how = (
        t("web.join_how", lang, url=join_url, code=code)
        if join_url
        else t("web.join_how_chat", lang, code=code)
    )
    telegram = f'<br><a href="{escape(telegram_link)}">{escape(telegram_link)}</a>' if telegram_link else ""
    body = (
        '<div class="screen">'
        f'<main id="feed" class="feed" aria-live="polite" aria-label="{escape(title)}">{feed}</main>'
        '<aside class="side">'
        f"<h1>{escape(title)}</h1>"
        f'<p class="code"><span class="label">{escape(t("web.code", lang))}</span> {escape(code)}</p>'
        f'<a class="qr" id="qr" href="{escape(qr_link)}" aria-label="{escape(t("web.qr_label", lang))}">{qr_svg}</a>'
        f'<p class="join">{escape(how)}{telegram}</p>'
        f'<p class="status">{escape(t("web.live", lang))}</p>'
        "</aside></div>"
        f"<noscript><p>{escape(t('web.refresh', lang))}</p></noscript>"
    )
    return page(t("web.screen_title", lang, title=title), body, css=SCREEN_CSS, lang=lang, head=SCREEN_SCRIPT)


def message_html(
    message: WebMessage, form: Callable[[WebMessage, int], str], image_url: Callable[[int], str]
) -> str:
    """One of the bot's messages in a browser's own chat, its buttons as forms (one POST each)."""
    if message.png is not None:
        caption, alt = escape(message.caption), escape(message.alt_text or message.caption)
        return f'<figure><img src="{escape(image_url(message.id))}" alt="{alt}"><figcaption>{caption}</figcaption></figure>'
    buttons = [b for row in message.buttons or [] for b in row]
    forms = "".join(form(message, index) for index in range(len(buttons)))
    group = f'<div class="row" role="group" aria-labelledby="m{message.id}">{forms}</div>' if forms else ""
    return f'<section><p class="msg" id="m{message.id}">{escape(message.text)}</p>{group}</section>'


def mine_page(
    *,
    chat: WebChat | None,
    lang: str,
    messages: Iterable[str],
    commands: str,
    notice: str,
    alert: bool,
    waiting: bool = False,
) -> str:
    """A browser's own chat; ``waiting``: joined, no round open (the page says so and, without
    JavaScript, reloads itself now and then so a new round shows without a tap)."""
    body_messages = "".join(messages)
    notice_html = (
        f'<div class="notice{" alert" if alert else ""}" role="status" id="notice" tabindex="-1">'
        f"<strong>{escape(t('web.your_answer', lang))}:</strong> {escape(notice)}</div>"
        if notice
        else ""
    )
    empty = "" if body_messages else f"<p>{escape(t('web.mine_empty', lang))}</p>"
    if waiting:
        empty += f'<p class="waiting" role="status">{escape(t("web.waiting", lang))}</p>'
    refresh = (
        f'<noscript><meta http-equiv="refresh" content="{NOSCRIPT_REFRESH}"></noscript>' if waiting else ""
    )
    body = (
        f'<a class="skip" href="#main">{escape(t("web.mine_title", lang))}</a>'
        f'<main id="main"><h1>{escape(t("web.mine_title", lang))}</h1>{notice_html}{empty}{body_messages}'
        f"<nav>{commands}</nav></main>"
    )
    script = (
        "<script>document.addEventListener('DOMContentLoaded',function(){"
        "var es=new EventSource('/mina/handelser');var first=true;"
        "es.onmessage=function(){if(first){first=false;return;}location.reload();};"
        "var n=document.getElementById('notice');if(n)n.focus();});</script>"
    )
    return page(t("web.mine_title", lang), body, css=PHONE_CSS, lang=lang, head=script + refresh)


def language_switch(forms: str, lang: str) -> str:
    """The Svenska/English switch (its forms made by the server, each with the CSRF token)."""
    return f'<nav class="lang" aria-label="{escape(t("web.language", lang))}">{forms}</nav>'


def simple_page(title: str, text: str, lang: str, *, extra: str = "") -> str:
    body = f'<main id="main"><h1>{escape(title)}</h1><p class="msg">{escape(text)}</p>{extra}</main>'
    return page(title, body, css=PHONE_CSS, lang=lang)
