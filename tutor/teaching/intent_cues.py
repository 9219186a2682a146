"""Word cues that settle a learner's intent before any embedding is compared.

The sentence embedding behind :mod:`tutor.teaching.intents` is English-only and weighs the
topic of a message heavily, so the forms whose intent is plain from their words are read
here: a question (a question mark, or an opening question word in English, Spanish,
French, German, Italian or Portuguese, including common typos such as "waht" or "hwo"), a
request to move on ("next", "what's next?", "weiter"), a request for a lesson ("teach
me", "can you teach me ...?", "enséñame"), an explanation in the learner's own words, a
pleasantry ("thanks!", "hello", "ok cool"), and code given as an answer. Each is a
whole-message or opening pattern: a word that merely appears inside a message ("what
happens next in the cycle?") decides nothing.
"""

from __future__ import annotations

import re

_FILLER = (
    r"(?:(?:so|and|but|ok(?:ay)?|k|alright|um+|uh+|hm+|well|hey|oh|also|then|now|right|yes"
    r"|yeah)[\s,.!]+)*"
)
"""Openers a learner puts before what they mean ("so what is...", "ok next")."""

_QUESTION_WORDS = (
    # English, with the contractions and typos learners write.
    r"what|what'?s|whats|wat|wut|waht|whta|hwat|wht|why|wy|how|how'?s|hows|hwo|hw|when|wen"
    r"|where|wher|whre|which|wich|who|whom|whose|is|isn'?t|are|aren'?t|am|was|were|does|dose"
    r"|doesn'?t|do|don'?t|did|didn'?t|can|cna|can'?t|could|couldn'?t|should|shouldn'?t"
    r"|would|wouldn'?t|will|won'?t|shall|may|might|must|has|have|had|iz"
    # Spanish, French, German, Italian, Portuguese.
    r"|qu[ée]|c[óo]mo|cu[áa]l|cu[áa]les|cu[áa]ndo|d[óo]nde|qui[ée]n|por ?qu[ée]"
    r"|pourquoi|comment|quand|o[ùu]|quel|quelle|quels|quelles|qu'est-ce|est-ce|c'est quoi"
    r"|warum|wieso|weshalb|wie|wann|wo|wer|welche|welcher|welches"
    r"|perch[ée]|cosa|che cosa|chi|dove|o que|qual"
)
_QUESTION = re.compile(
    rf"\?\s*$|^\s*[¿]|^{_FILLER}(?:{_QUESTION_WORDS})\b",
    re.IGNORECASE,
)
"""A question: it ends with a question mark, or opens like one."""

_ASKING = re.compile(
    rf"^{_FILLER}(?:please\s+)?(?:explain\b(?!\s+(?:it|this|that)\s+back)|describe\b|define\b"
    r"|clarify\b|tell me (?:what|why|how|when|where|who|which|if|whether)\b"
    r"|help me understand\b|i (?:still )?(?:don'?t|dont|do not|didn'?t) (?:understand|get|see)\b"
    r"|i'?m (?:confused|lost|stuck)\b|confused (?:by|about)\b"
    r"|no idea (?:what|why|how|where|when|which)\b|i (?:have|got) a question\b|question:"
    r"|(?:the )?difference between\b|i wonder\b|i'?m wondering\b)",
    re.IGNORECASE,
)
"""A statement that asks all the same ("explain the Krebs cycle", "I don't get why...")."""

_MORE = (
    r"(?:\s+(?:one|topic|part|step|lesson|exercise|question|concept|thing|section|chapter"
    r"|please|pls|plz|then|now|on|bitte|por favor|s'il (?:te|vous) pla[iî]t))*"
)
_NEXT = re.compile(
    rf"^{_FILLER}(?:(?:done|finished|got it|great|cool|good|sure|fine|nice)[\s,.!]+)*"
    r"(?:(?:let'?s|lets|can we|could we|shall we|please|pls|i'?m ready|im ready|ready"
    r"|on|go|take me|give me|show me|to|for|the|another)\s+)*"
    r"(?:next|nxt|continue|go on|move on|moving on|keep going|carry on|proceed|onwards?"
    r"|skip(?: (?:it|this|that))?|what'?s next|whats next|what is next|what now|now what"
    r"|what comes next|what(?:'?s| is) the next (?:step|thing|topic|one)"
    r"|what (?:should|do|shall|can) (?:i|we) (?:learn|study|do|look at|read) next"
    r"|siguiente|continuar|contin[úu]a|sigamos|adelante|pr[óo]ximo"
    r"|weiter|n[äa]chste[rs]?|suivant|continuer|continuons|on continue|avanti|prossimo|vai avanti)"
    rf"{_MORE}[\s?.!]*$",
    re.IGNORECASE,
)
"""A whole message asking to move on."""

_LESSON_REQUEST = re.compile(
    rf"^{_FILLER}(?:please\s+)?(?:(?:can|could|would|will) you (?:please )?"
    r"(?:teach|give me (?:a|another) (?:lesson|class)|walk me through|go over|start a lesson)"
    r"|(?:can|could|shall|may|should) (?:we|i) (?:please )?(?:do|have|get|start|take|begin) "
    r"(?:a |another |the )?(?:new )?lesson"
    r"|(?:can|could|may) (?:i|we) (?:learn|study)\b"
    r"|teach me\b"
    # Other languages, where the embedding cannot tell a request for a lesson.
    r"|ens[ée][ñn]ame|quiero (?:aprender|estudiar)|dame una lecci[óo]n|una lecci[óo]n"
    r"|bring (?:mir|uns)\b|ich (?:m[öo]chte|will) .{0,60}(?:lernen|lektion)|lehre mich"
    r"|apprends[- ]moi|je veux apprendre|une le[çc]on|insegnami|voglio imparare"
    r"|ensina-me|me ensina|quero aprender)",
    re.IGNORECASE,
)
"""A request to be taught, even phrased as a question ("can you teach me ...?")."""

_EXPLAINING = re.compile(
    rf"^{_FILLER}(?:in my (?:own )?words|let me (?:try to )?explain|i'?ll (?:try to )?explain"
    r"|here'?s how i'?d explain|here is how i would explain|here'?s my explanation"
    r"|here is my explanation|my understanding is|as i understand it"
    r"|the way i (?:understand|see) it"
    r"|to put it simply|explaining it back|my summary|in short, what i learned"
    r"|en mis (?:propias )?palabras|con mis (?:propias )?palabras|mit meinen (?:eigenen )?worten"
    r"|in meinen (?:eigenen )?worten|avec mes (?:propres )?mots|en mes (?:propres )?mots"
    r"|con (?:le )?mie parole|nas minhas (?:pr[óo]prias )?palavras|com as minhas palavras)\b",
    re.IGNORECASE,
)
"""The opening of an explanation in the learner's own words."""

_PLEASANTRY_WORDS = (
    r"thanks?|thank you|thx|ty|tysm|cheers|much appreciated|appreciate it|so much|a lot|lots"
    r"|hello|hi|hey|hiya|yo|good (?:morning|afternoon|evening|night)|bye|goodbye|see you"
    r"|see ya|later|for now|tomorrow|ok|okay|k|kk|cool|nice|great|awesome|perfect|neat"
    r"|wow|lol|haha+|hehe+|:\)|:d|there|again|man|dude"
    r"|merci|beaucoup|bonjour|salut|danke|sch[öo]n|hallo|tsch[üu]ss|gracias|muchas|hola"
    r"|adi[óo]s|grazie|ciao|obrigad[oa]|ol[áa]"
)
_PLEASANTRY = re.compile(
    rf"^(?:(?:{_PLEASANTRY_WORDS})[\s,.!]*)+$",
    re.IGNORECASE,
)
"""A whole message of greetings, thanks and acknowledgements."""

_CODE = re.compile(
    r"^\s*(?:def|fn|let|const|var|return|print|println!|import|from|class|struct|impl|for"
    r"|while|if|pub|use|async|SELECT)\b.*[(){}=;:]|[{};]\s*$|^\s*\w+\s*\(.*\)\s*;?\s*$"
    r"|```",
    re.IGNORECASE | re.DOTALL,
)
"""Code given as an answer."""


def is_question(text: str) -> bool:
    """Whether ``text`` asks something, by its punctuation, opening words or phrasing."""
    stripped = text.strip()
    return bool(_QUESTION.search(stripped) or _ASKING.search(stripped))


def asks_to_move_on(text: str) -> bool:
    """Whether the whole message asks for the next step ("next", "what's next?")."""
    return bool(_NEXT.match(text.strip()))


def asks_for_lesson(text: str) -> bool:
    """Whether the message asks to be taught ("teach me ...", "can you teach me ...?")."""
    return bool(_LESSON_REQUEST.search(text.strip()))


def explains(text: str) -> bool:
    """Whether the message opens as an explanation in the learner's own words."""
    return bool(_EXPLAINING.search(text.strip()))


def is_pleasantry(text: str) -> bool:
    """Whether the whole message is a greeting, thanks or acknowledgement."""
    return bool(_PLEASANTRY.match(text.strip()))


def looks_like_code(text: str) -> bool:
    """Whether the message reads as code rather than prose."""
    return bool(_CODE.search(text.strip()))
