"""The words the demo year is made of: banks, Turkish first and last names, descriptions.

Some descriptions and usernames start like spreadsheet formulas on purpose: real dealers' data
carries such text, and the console's exports must neutralise it.
"""

BANKS = (
    ("00062", "Garanti BBVA"),
    ("00046", "Akbank"),
    ("00064", "Türkiye İş Bankası"),
    ("00067", "Yapı Kredi"),
    ("00010", "Ziraat Bankası"),
    ("00015", "VakıfBank"),
    ("00012", "Halkbank"),
    ("00111", "QNB"),
    ("00134", "DenizBank"),
    ("00032", "TEB"),
)

FIRST_NAMES = (
    "Çağlar",
    "Şule",
    "Ayşe",
    "Mehmet",
    "Gökhan",
    "Özlem",
    "Ümit",
    "Ebru",
    "İbrahim",
    "Gülşen",
    "Burak",
    "Zeynep",
    "Hüseyin",
    "Elif",
    "Oğuz",
    "Şeyma",
    "Can",
    "Merve",
    "Ömer",
    "Büşra",
    "Emre",
    "Derya",
    "Ilgaz",
    "Tuğba",
    "Yiğit",
    "Sevgi",
    "Barış",
    "Nazlı",
    "Doğan",
    "İpek",
)
LAST_NAMES = (
    "Öztürk",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Aydın",
    "Özdemir",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Koç",
    "Kurt",
    "Özkan",
    "Şimşek",
    "Polat",
    "Güneş",
    "Erdoğan",
    "Akgül",
    "Bulut",
    "Türkmen",
    "Karataş",
    "Gür",
    "Uçar",
    "Ağaoğlu",
    "Sarıkaya",
    "Işık",
)
ASCII_FOLD = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")

DEPOSIT_DESCRIPTIONS = (
    "Yatırım",
    "Para yatırma",
    "Bakiye yükleme",
    "Hesaba yatırım",
    "Havale ile yatırım",
    "FAST yatırım",
    "EFT yatırım",
    "Deposit",
    "Yatırım - bonus",
)
WITHDRAWAL_DESCRIPTIONS = (
    "Çekim",
    "Para çekme talebi",
    "Withdrawal request",
    "Kazanç çekimi",
    "Hesaba çekim",
    "Çekim talebi - onaylandı",
)
# Real dealers' data carries text a spreadsheet would run as a formula: the export must meet it.
FORMULA_DESCRIPTIONS = ("-iade", "=SUM(A1)", "+90 iade", "@destek", "=1+1", "-1500 düzeltme")
FORMULA_USERNAMES = ("=cmd", "+905321234567", "-kayit", "@admin")
