"""Swedish and English texts of the projector screen and browser voting, under ``screen.*``/``web.*``."""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "menu.skarm": "Länk till projektorskärmen",
        "help.cmd.skarm": "/skarm – en privat länk till workshopens projektorskärm",
        "screen.link": (
            "Projektorskärmen för «{title}» (öppna i webbläsaren på datorn som visar projektorn; länken "
            "gäller i {hours} timmar och ska inte delas):\n{link}"
        ),
        "screen.ask_private": "Skicka /skarm till mig i en privat chatt, så får du länken till projektorskärmen där.",
        "screen.not_served": "Projektorskärmen är inte påslagen: administratören behöver ange public_url.",
        "screen.room": "Projektorskärm",
        "web.join_how": (
            "Gå med: skanna QR-koden, eller öppna {url} i mobilen och skriv koden. "
            "Telegram: skicka /delta {code} till boten. Slack: /dialog delta {code}"
        ),
        "web.join_how_chat": "Gå med: skicka /delta {code} till boten i Telegram, eller /dialog delta {code} i Slack.",
        "web.code": "Kod",
        "web.qr_label": "QR-kod för att gå med i workshopen",
        "web.screen_title": "Projektorskärm: {title}",
        "web.nothing_yet": "Ingen omgång ännu. Resultat visas här när en omgång stängs.",
        "web.live": "Uppdateras direkt",
        "web.join_title": "Gå med i {title}",
        "web.join_button": "Gå med",
        "web.join_intro": "Du behöver inget konto och anger inga personuppgifter. Dina svar sparas utan namn.",
        "web.code_title": "Gå med i en workshop",
        "web.code_label": "Koden som visas på projektorn",
        "web.vote_button": "Visa den öppna omgången",
        "web.sector_button": "Byt sektor",
        "web.forget_button": "Glöm mig",
        "web.mine_title": "Dialogbot",
        "web.mine_empty": "Du är inte med i någon workshop ännu. Skanna QR-koden på projektorn eller ange koden.",
        "web.your_answer": "Senaste besked",
        "web.refresh": "Uppdatera sidan",
        "web.error.forged": "Formuläret kunde inte kontrolleras. Ladda om sidan och försök igen.",
        "web.error.replayed": "Det här formuläret är redan skickat. Ladda om sidan och svara igen.",
        "web.error.expired": "Länken eller formuläret har gått ut. Be om en ny länk eller ladda om sidan.",
        "web.error.rate": "För många försök på kort tid. Vänta några sekunder och försök igen.",
        "web.error.no_device": "Din webbläsare skickade ingen kaka. Tillåt kakor för sidan och ladda om den.",
        "web.error.code_expired": "Koden har gått ut. Be processledaren om koden till dagens workshop.",
        "web.error.not_found": "Sidan finns inte.",
        "web.back": "Tillbaka",
        "web.round_opened": "Omgång #{number} har öppnat. Svara nedan.",
        "web.round_closed": "Omgång #{number} är stängd. Resultatet visas på projektorn.",
        "web.round_stepped": "Nästa påstående i omgång #{number}. Svara nedan.",
        "web.waiting": "Ingen omgång är öppen just nu. Sidan visar nästa omgång när den öppnar.",
        "web.refresh_link": "Uppdatera",
        "web.language": "Språk",
    },
    "en": {
        "menu.skarm": "Link to the projector screen",
        "help.cmd.skarm": "/screen – a private link to the workshop's projector screen",
        "screen.link": (
            "The projector screen of «{title}» (open it in the browser of the computer showing the projector; "
            "the link is valid for {hours} hours and is not to be shared):\n{link}"
        ),
        "screen.ask_private": "Send /screen to me in a private chat to get the projector screen's link there.",
        "screen.not_served": "The projector screen is not switched on: the administrator needs to set public_url.",
        "screen.room": "Projector screen",
        "web.join_how": (
            "Join: scan the QR code, or open {url} on your phone and type the code. "
            "Telegram: send /join {code} to the bot. Slack: /dialog join {code}"
        ),
        "web.join_how_chat": "Join: send /join {code} to the bot in Telegram, or /dialog join {code} in Slack.",
        "web.code": "Code",
        "web.qr_label": "QR code to join the workshop",
        "web.screen_title": "Projector screen: {title}",
        "web.nothing_yet": "No round yet. Results are shown here when a round closes.",
        "web.live": "Updates live",
        "web.join_title": "Join {title}",
        "web.join_button": "Join",
        "web.join_intro": "You need no account and give no personal data. Your answers are stored without a name.",
        "web.code_title": "Join a workshop",
        "web.code_label": "The code shown on the projector",
        "web.vote_button": "Show the open round",
        "web.sector_button": "Change sector",
        "web.forget_button": "Forget me",
        "web.mine_title": "Dialogbot",
        "web.mine_empty": "You have not joined a workshop yet. Scan the QR code on the projector or enter the code.",
        "web.your_answer": "Latest answer",
        "web.refresh": "Refresh the page",
        "web.error.forged": "The form could not be verified. Reload the page and try again.",
        "web.error.replayed": "This form has already been sent. Reload the page and answer again.",
        "web.error.expired": "The link or form has expired. Ask for a new link or reload the page.",
        "web.error.rate": "Too many attempts in a short time. Wait a few seconds and try again.",
        "web.error.no_device": "Your browser sent no cookie. Allow cookies for this page and reload it.",
        "web.error.code_expired": "The code has expired. Ask the facilitator for the code of today's workshop.",
        "web.error.not_found": "There is no such page.",
        "web.back": "Back",
        "web.round_opened": "Round #{number} has opened. Answer below.",
        "web.round_closed": "Round #{number} is closed. The result is shown on the projector.",
        "web.round_stepped": "The next statement of round #{number}. Answer below.",
        "web.waiting": "No round is open right now. The page shows the next round when it opens.",
        "web.refresh_link": "Refresh",
        "web.language": "Language",
    },
}

register(TEXTS)
