"""Language per signed-in user: the sidebar's choice is remembered in the console's store, loaded
when that user's next session starts; others keep the configured default. Money and dates follow."""

import re

from dashboard.ui import LANG_KEY
from tests.helpers.markdown import shown

TR_MONEY = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2} ₺$")  # 125.000,00 ₺
EN_MONEY = re.compile(r"^-?₺\d{1,3}(,\d{3})*\.\d{2}$")  # ₺125,000.00


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def to_turkish(at):
    return at.sidebar.selectbox(key=LANG_KEY).select("tr").run()


def test_switching_to_turkish_shows_turkish_labels_money_and_dates(console):
    at = console.open(user="operator")
    assert at.title[0].value == "Overview" and EN_MONEY.match(metrics(at)["Total balance"])

    at = to_turkish(at)
    assert not at.exception
    assert at.title[0].value == "Genel bakış"
    m = metrics(at)
    assert TR_MONEY.match(m["Toplam bakiye"]), m
    assert m["Çekim masrafı"] == "2,50 ₺" and m["Komisyon"] == "%3,50"
    assert at.sidebar.selectbox(key=LANG_KEY).label == "Dil"
    # "Veriler 25.11.2026 14:30:00 tarihinde alındı (3 sn önce)"
    fetched = next(c.value for c in at.sidebar.caption if c.value.startswith("Veriler"))
    assert re.search(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2} tarihinde alındı \(\d+ sn önce\)", fetched), fetched


def test_the_choice_survives_a_new_session_of_the_same_user(console):
    to_turkish(console.open(user="operator"))
    assert console.store().accounts.language("operator") == "tr"

    again = console.open(user="operator")  # a new browser session: nothing in session state
    assert not again.exception
    assert again.sidebar.selectbox(key=LANG_KEY).value == "tr"
    assert again.title[0].value == "Genel bakış"
    assert TR_MONEY.match(metrics(again)["Toplam bakiye"])

    # Back to English is remembered the same way.
    again.sidebar.selectbox(key=LANG_KEY).select("en").run()
    assert console.store().accounts.language("operator") == "en"
    assert console.open(user="operator").title[0].value == "Overview"


def test_another_user_keeps_the_configured_default(console):
    to_turkish(console.open(user="operator"))
    other = console.open(user="admin")
    assert other.sidebar.selectbox(key=LANG_KEY).value == "en"
    assert other.title[0].value == "Overview"
    assert EN_MONEY.match(metrics(other)["Total balance"])
    assert console.store().accounts.language("admin") is None


def test_the_configured_default_applies_until_a_user_chooses(console):
    console.monkeypatch.setenv("ENIGMAPAY_LANGUAGE", "tr")
    at = console.open(user="viewer")
    assert at.sidebar.selectbox(key=LANG_KEY).value == "tr"
    assert at.title[0].value == "Genel bakış"
    at.sidebar.selectbox(key=LANG_KEY).select("en").run()
    assert console.open(user="viewer").title[0].value == "Overview"  # their own choice beats the default


def test_turkish_send_money_form_says_its_labels_and_errors_in_turkish(console):
    to_turkish(console.open(user="operator"))
    at = console.open("send_money", user="operator")
    assert at.title[0].value == "Para gönder"
    labels = {t.key: t.label for t in at.text_input}
    assert labels["send_username"] == "Müşteri kullanıcı adı" and labels["send_iban"] == "Müşteri IBAN"

    for name, value in {"username": "", "amount": "0", "iban": "TR33 0006 1005 1978 6457 8413 27", "name": "X"}.items():
        at.text_input(key=f"send_{name}").input(value)
    at = at.run().button(key="send_review").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert "Müşterinin kullanıcı adını girin." in errors
    assert "Tutar sıfırdan büyük olmalıdır." in errors
    assert "IBAN'ın kontrol basamakları tutmuyor: yazım hatası olup olmadığına bakın." in errors
    assert "Ad en az 2 karakter olmalıdır." in errors
    assert console.calls("POST /send-money") == 0

    # A filled-in message keeps its value (the amount as typed) inside the Turkish sentence.
    at.text_input(key="send_amount").input("1.500").run()
    at = at.button(key="send_review").click().run()
    assert "'1.500' belirsiz: tam sayı için 1500, lira ve kuruş için 1.50 yazın." in [e.value for e in at.error]


def test_turkish_preview_and_confirmation_use_turkish_money(console):
    to_turkish(console.open(user="operator"))
    at = console.open("send_money", user="operator")
    for name, value in {
        "username": "user42",
        "amount": "1500,50",
        "iban": "TR33 0006 1005 1978 6457 8413 26",
        "name": "Şule Yılmaz",
    }.items():
        at.text_input(key=f"send_{name}").input(value)
    at = at.run()
    m = metrics(at)
    assert m["Komisyon"] == "7,50 ₺" and m["Masraf"] == "2,50 ₺" and m["Hesaptan düşülecek toplam"] == "1.510,50 ₺"
    at = at.button(key="send_review").click().run()
    summary = shown(" ".join(md.value for md in at.markdown))
    assert "**Tutar**: 1.500,50 ₺" in summary and "**Alıcı banka**" in summary
    assert at.button(key="send_confirm").label == "1.500,50 ₺ gönder"
    assert console.calls("POST /send-money") == 0
