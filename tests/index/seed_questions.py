"""Questions written for the seed archive: what it answers (and from which article), what it does not.

Used by ``tests/index/test_answering.py`` and by ``bench/tune.py``, which shows where the confidence of
each falls, so that the "no answer" thresholds are set on many questions, not on one.
"""

from __future__ import annotations

# (question, the article that answers it, words the right passage holds)
ANSWERABLE = [
    ("What was agreed in Minsk in December 2022?", "003_bbbdcd5d19d9f9a8.txt", "accordo"),
    ("Cosa è stato concordato a Minsk a dicembre 2022?", "002_236b9d47b589822e.txt", "concordato"),
    ("Who did Lavrov meet in Minsk?", "002_236b9d47b589822e.txt", "Aleinik"),
    ("Chi ha incontrato Lavrov a Minsk?", "002_236b9d47b589822e.txt", "Aleinik"),
    ("How big was the loan Putin granted to Belarus?", "000_63f739fd0d5fbe86.txt", "1,5 miliardi"),
    ("Quanto vale il prestito concesso da Putin alla Bielorussia?", "000_63f739fd0d5fbe86.txt", "1,5 miliardi"),
    ("How many people were arrested at the protests in Minsk?", "000_63f739fd0d5fbe86.txt", "744"),
    ("Quanti arresti ci sono stati durante le proteste a Minsk?", "000_63f739fd0d5fbe86.txt", "744"),
    ("Where did Lukashenko meet Putin in September 2020?", "000_63f739fd0d5fbe86.txt", "Sochi"),
    ("Dove ha incontrato Putin Lukashenko nel settembre 2020?", "000_63f739fd0d5fbe86.txt", "Sochi"),
    ("Why is Belarus unlikely to take part in the war in Ukraine?", "001_aedb10bbfb254ef5.txt", "improbabile"),
    ("Perché la partecipazione della Bielorussia alla guerra è improbabile?", "001_aedb10bbfb254ef5.txt", "improbabile"),
    ("Which missiles will be installed in Belarus?", "003_bbbdcd5d19d9f9a8.txt", "Iskander"),
    ("Quali missili verranno installati in Bielorussia?", "003_bbbdcd5d19d9f9a8.txt", "Iskander"),
    ("How much have Western sanctions cost Belarus?", "004_3dec1f9b3ec35dda.txt", "16 miliardi"),
    ("Quanto sono costate le sanzioni occidentali alla Bielorussia?", "004_3dec1f9b3ec35dda.txt", "16 miliardi"),
    ("Who is Sviatlana Tsikhanouskaya?", "000_63f739fd0d5fbe86.txt", "Tsikhanouskaya"),
    ("Dove si è rifugiata Sviatlana Tsikhanouskaya?", "000_63f739fd0d5fbe86.txt", "Lituania"),
    ("What did Mikhail Khodaryonok say about Russia's isolation?", "004_3dec1f9b3ec35dda.txt", "Khodaryonok"),
    ("Cosa ha detto Khodaryonok sull'isolamento della Russia?", "004_3dec1f9b3ec35dda.txt", "Khodaryonok"),
    ("What did Peskov call the speculation that Putin wanted Belarus in the war?", "001_aedb10bbfb254ef5.txt", "sciocche"),
    ("Come ha definito Peskov le ipotesi sul coinvolgimento di Minsk?", "002_236b9d47b589822e.txt", "invenzioni"),
    ("Which ministers went with Putin to Minsk?", "003_bbbdcd5d19d9f9a8.txt", "Shoigu"),
    ("Quali ministri hanno accompagnato Putin a Minsk?", "003_bbbdcd5d19d9f9a8.txt", "Shoigu"),
    ("Is a nuclear power plant being built in Belarus?", "003_bbbdcd5d19d9f9a8.txt", "centrale nucleare"),
    ("La Bielorussia ha una centrale nucleare?", "003_bbbdcd5d19d9f9a8.txt", "centrale nucleare"),
]

UNANSWERABLE = [
    "What is the capital of Australia?",
    "Qual è la capitale dell'Australia?",
    "Who won the football World Cup in 2018?",
    "Chi ha vinto i mondiali di calcio nel 2018?",
    "How do I bake bread at home?",
    "Come si fa il pane in casa?",
    "Who wrote Hamlet?",
    "Chi ha scritto la Divina Commedia?",
    "What is the price of bitcoin today?",
    "Quanto costa oggi un bitcoin?",
    "When did the Titanic sink?",
    "Quando è affondato il Titanic?",
    "What is the population of Brazil?",
    "Quanti abitanti ha il Brasile?",
    "Who is the CEO of Apple?",
    "Chi è l'amministratore delegato della Fiat?",
    "How tall is Mount Everest?",
    "Quanto è alto il Monte Bianco?",
    "What will the weather be like in Rome tomorrow?",
    "Che tempo farà domani a Milano?",
    "Who won the Eurovision Song Contest in 2021?",
    "Quale squadra ha vinto lo scudetto nel 2023?",
]
