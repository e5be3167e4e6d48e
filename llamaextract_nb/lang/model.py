"""The shape of one language's data: what documents print in it and what schema words mean."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Language:
    """One language's table for the engine.

    - ``months``: every printed form of a month name, lower case (full names, genitive or
      other inflected forms, abbreviations without their dot) -> month number;
    - ``labels``: concept (an English field-name phrase such as ``"invoice number"``) ->
      labels a document in this language prints for it, most specific first;
    - ``words``: a word of a schema field's name or description -> the English word it
      means (``"rechnung"`` -> ``"invoice"``); a value of two words maps to a phrase;
    - ``stopwords``: words of a name or description that carry no meaning (articles,
      prepositions);
    - ``date_joiners``: words printed between day, month and year ("3 de mayo de 2024");
    - ``documents``: what a business document calls itself in its title ("invoice",
      "rechnung"); a title may also be a compound ending in one ("Beitragsrechnung");
    - ``salutations``: the forms of address printed before a recipient's name ("Herrn",
      "Mme", "Sr."), lower case.
    """

    code: str
    name: str
    months: dict[str, int]
    labels: dict[str, list[str]]
    words: dict[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    date_joiners: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    salutations: tuple[str, ...] = ()
