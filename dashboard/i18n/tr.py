"""Turkish translations, keyed by the English text (placeholders in {braces} kept as they are).

Grouped by where the text appears. Keys with placeholders also translate messages the domain has
already filled in (validation, client errors, the journal): see dashboard/i18n/__init__.py. Where a
filled-in value would itself be English (a money amount in English format, a word such as
"payout"), the concrete sentence has its own entry, which wins over the pattern.

Vocabulary (as in Turkish banking and payment software): balance "bakiye", transaction "işlem",
payout "para gönderimi", deposit "yatırım", withdrawal "çekim", commission "komisyon", fee
"masraf", card payment "kartlı ödeme", callback "geri bildirim", money action the console sent
(a journal entry) "talimat", audit log "denetim kaydı".
"""

TR: dict[str, str] = {
    # --- navigation: sections, page titles ------------------------------------------------------
    "Monitor": "İzleme",
    "Act": "İşlem",
    "Admin": "Yönetim",
    "Overview": "Genel bakış",
    "Balances": "Bakiyeler",
    "Transactions": "İşlemler",
    "Send money": "Para gönder",
    "Card payment": "Kartlı ödeme",
    "Lookup": "İşlem sorgula",
    "Operations": "Talimatlar",
    "Callbacks": "Geri bildirimler",
    "Approvals": "Onaylar",
    "Audit log": "Denetim kaydı",
    "Settings": "Ayarlar",
    "Account": "Hesap",
    "Two-factor sign-in": "İki adımlı doğrulama",
    # --- roles -----------------------------------------------------------------------------------
    "viewer": "izleyici",
    "operator": "operatör",
    "admin": "yönetici",
    "approver": "onaylayıcı",
    # --- sidebar and console frame (console.py) -------------------------------------------------
    "The console cannot start with this configuration.": "Konsol bu yapılandırmayla başlatılamıyor.",
    "SANDBOX": "TEST ORTAMI",
    "Demo data: no real money moves.": "Deneme verisi: gerçek para hareketi olmaz.",
    "LIVE": "CANLI",
    "Refresh": "Yenile",
    "Language": "Dil",
    "Signed in as **{user}** ({role})": "Oturum: **{user}** ({role})",
    "Data fetched {at} ({age})": "Veriler {at} tarihinde alındı ({age})",
    # --- sign-in (dashboard/ui/access.py, dashboard/auth) ---------------------------------------
    "Sign in": "Oturum aç",
    "Sign out": "Çıkış yap",
    "User name": "Kullanıcı adı",
    "Password": "Parola",
    "User": "Kullanıcı",
    "Role": "Rol",
    "Signed in: opening the console…": "Oturum açıldı: konsol açılıyor…",
    # single sign-on (dashboard/ui/sso_sign_in.py, dashboard/auth/authenticator.py)
    "Sign in with {provider}": "{provider} ile oturum aç",
    "single sign-on": "tek oturum açma (SSO)",
    "Sign out of {provider}": "{provider} oturumunu kapat",
    "Signed in at the provider as **{name}**.": "Kimlik sağlayıcıda **{name}** olarak oturum açıldı.",
    "Sign-in with a user name and password is switched off: use single sign-on.": (
        "Kullanıcı adı ve parolayla oturum açma kapalı: tek oturum açmayı (SSO) kullanın."
    ),
    "Your single sign-on account has no role in this console: ask an administrator for access.": (
        "Tek oturum açma (SSO) hesabınızın bu konsolda bir rolü yok: erişim için bir yöneticiye başvurun."
    ),
    "Your single sign-on has expired: sign in again.": "Tek oturum açma (SSO) süreniz doldu: yeniden oturum açın.",
    "The identity provider did not sign you in: try again.": "Kimlik sağlayıcı oturumunuzu açmadı: yeniden deneyin.",
    # Sessions page (dashboard/ui/sessions_view.py)
    "Sessions": "Oturumlar",
    "Your sessions": "Oturumlarınız",
    "Every browser where you are signed in. End a session you do not recognise.": (
        "Oturum açık olduğunuz her tarayıcı. Tanımadığınız bir oturumu sonlandırın."
    ),
    "Signed in {created} ({method}{source}), last seen {seen}": (
        "Oturum açılışı {created} ({method}{source}), son görülme {seen}"
    ),
    "User name and password": "Kullanıcı adı ve parola",
    "Single sign-on": "Tek oturum açma (SSO)",
    "This browser": "Bu tarayıcı",
    "End session": "Oturumu sonlandır",
    "Session ended: that browser is signed out.": "Oturum sonlandırıldı: o tarayıcıda oturum kapandı.",
    "Everybody's sessions": "Herkesin oturumları",
    "Nobody else is signed in.": "Başka kimsenin oturumu açık değil.",
    "Sign-in is off: there are no sessions.": "Oturum açma kapalı: oturum yok.",
    "Not allowed: your role cannot open this page.": "Yetkiniz yok: rolünüz bu sayfayı açamaz.",
    "Wrong user name or password.": "Kullanıcı adı veya parola hatalı.",
    "Too many attempts; try again in {wait} s.": "Çok fazla deneme yapıldı; {wait} sn sonra tekrar deneyin.",
    "Sign-in is off (ENIGMAPAY_AUTH_DISABLED=true): anyone who can open this console acts as its "
    "administrator. For a single-user local setup only.": (
        "Oturum açma kapalı (ENIGMAPAY_AUTH_DISABLED=true): bu konsolu açabilen herkes yönetici olarak "
        "işlem yapar. Yalnızca tek kullanıcılı yerel kurulum içindir."
    ),
    # --- two-factor sign-in (dashboard/ui/two_factor.py, dashboard/auth/totp_factor.py) -----------
    "Enter the 6-digit code from your authenticator app, or one of your recovery codes.": (
        "Doğrulama uygulamanızdaki 6 haneli kodu ya da kurtarma kodlarınızdan birini girin."
    ),
    "Enter the code from your authenticator app.": "Doğrulama uygulamanızdaki kodu girin.",
    "Code": "Kod",
    "Verify": "Doğrula",
    "Back to user name and password": "Kullanıcı adı ve parolaya dön",
    "The sign-in took too long: sign in again.": "Oturum açma çok uzun sürdü: yeniden oturum açın.",
    "Wrong code, or a code that was already used: try the next code.": (
        "Kod hatalı ya da daha önce kullanılmış: bir sonraki kodu deneyin."
    ),
    "No two-factor set-up is waiting for a code: start the set-up again.": (
        "Kod bekleyen bir iki adımlı doğrulama kurulumu yok: kurulumu yeniden başlatın."
    ),
    "Two-factor sign-in is already set up for this account.": ("Bu hesap için iki adımlı doğrulama zaten kurulu."),
    "Two-factor sign-in is not set up for this account.": "Bu hesap için iki adımlı doğrulama kurulu değil.",
    "This account's second factor cannot be read (the console's two-factor key changed): "
    "ask an administrator to reset it.": (
        "Bu hesabın ikinci doğrulama adımı okunamıyor (konsolun iki adımlı doğrulama anahtarı değişmiş): "
        "bir yöneticiden sıfırlamasını isteyin."
    ),
    "Set up two-factor sign-in": "İki adımlı doğrulamayı kur",
    "1. Open an authenticator app on your phone (for example Google Authenticator, Microsoft "
    "Authenticator or 1Password).\n2. Scan this QR code with it, or type in the key below.\n"
    "3. Enter the 6-digit code the app shows.": (
        "1. Telefonunuzda bir doğrulama uygulaması açın (örneğin Google Authenticator, Microsoft "
        "Authenticator veya 1Password).\n2. Bu QR kodu uygulamayla okutun ya da aşağıdaki anahtarı yazın.\n"
        "3. Uygulamanın gösterdiği 6 haneli kodu girin."
    ),
    "Key for manual entry (shown only during this set-up)": (
        "Elle girmek için anahtar (yalnızca bu kurulum sırasında gösterilir)"
    ),
    "6-digit code from the app": "Uygulamadaki 6 haneli kod",
    "Two-factor sign-in is on for your account.": "Hesabınızda iki adımlı doğrulama açık.",
    "Save these recovery codes now, somewhere other than your phone. Each one signs you in once "
    "if you lose your phone. They are not shown again.": (
        "Bu kurtarma kodlarını şimdi telefonunuzdan başka bir yere kaydedin. Telefonunuzu kaybederseniz "
        "her biri bir kez oturum açmanızı sağlar. Yeniden gösterilmezler."
    ),
    "I have saved them: continue": "Kaydettim: devam et",
    "Your role must use two-factor sign-in: set it up before you continue.": (
        "Rolünüz iki adımlı doğrulama kullanmalı: devam etmeden önce kurun."
    ),
    "Sign-in is off: there is no second factor to set up.": (
        "Oturum açma kapalı: kurulacak bir ikinci doğrulama adımı yok."
    ),
    "Two-factor sign-in is off for your account.": "Hesabınızda iki adımlı doğrulama kapalı.",
    "Recovery codes left: {count}": "Kalan kurtarma kodu: {count}",
    "Current code from the app": "Uygulamadaki güncel kod",
    "New recovery codes": "Yeni kurtarma kodları",
    "A new phone: ask an administrator to reset your second factor, then set it up again at your next sign-in.": (
        "Yeni telefon mu? Bir yöneticiden ikinci doğrulama adımınızı sıfırlamasını isteyin, ardından bir "
        "sonraki oturum açışınızda yeniden kurun."
    ),
    "Sandbox demo accounts: they exist only on the built-in sandbox and never against the live API.": (
        "Test ortamı deneme hesapları: yalnızca yerleşik test ortamında vardır, canlı API'de asla kullanılmaz."
    ),
    # --- shared helpers: data age, errors, statuses (dashboard/ui/__init__.py) ------------------
    "{n} s ago": "{n} sn önce",
    "{n} min ago": "{n} dk önce",
    "{n} h ago": "{n} sa önce",
    "Retry after {n} s.": "{n} sn sonra tekrar deneyin.",
    "Showing {what} fetched {age} ({at}); the refresh failed.": (
        "{age} ({at}) alınan {what} gösteriliyor; yenileme başarısız oldu."
    ),
    # what= of ui.show_loaded
    "settings": "ayarlar",
    "balances": "bakiyeler",
    "the IBAN list": "IBAN listesi",
    "the history": "işlem geçmişi",
    "the status": "işlem durumu",
    # what to do, per error code
    "Check ENIGMAPAY_API_KEY and ENIGMAPAY_SECRET_KEY, then restart the console.": (
        "ENIGMAPAY_API_KEY ve ENIGMAPAY_SECRET_KEY değerlerini kontrol edin, ardından konsolu yeniden başlatın."
    ),
    "Ask EnigmaPay support to enable this feature for your dealer account.": (
        "Bu özelliğin bayi hesabınız için açılmasını EnigmaPay destek ekibinden isteyin."
    ),
    "EnigmaPay asked us to slow down. Wait a moment, then press Refresh.": (
        "EnigmaPay istekleri yavaşlatmamızı istedi. Biraz bekleyin, ardından Yenile'ye basın."
    ),
    "EnigmaPay had a problem. Try again in a minute; if it persists, contact EnigmaPay support.": (
        "EnigmaPay tarafında bir sorun oluştu. Bir dakika sonra tekrar deneyin; sorun sürerse EnigmaPay "
        "destek ekibine başvurun."
    ),
    "Check the server's internet connection, then press Refresh.": (
        "Sunucunun internet bağlantısını kontrol edin, ardından Yenile'ye basın."
    ),
    "EnigmaPay did not answer in time. Try again in a minute.": (
        "EnigmaPay zamanında yanıt vermedi. Bir dakika sonra tekrar deneyin."
    ),
    "EnigmaPay sent an answer we could not read. Try again; if it persists, report it.": (
        "EnigmaPay okunamayan bir yanıt gönderdi. Tekrar deneyin; sorun sürerse bildirin."
    ),
    "Do not send again. Check the status on the Lookup page or wait for the callback.": (
        "Tekrar göndermeyin. Durumu İşlem sorgula sayfasından kontrol edin veya geri bildirimi bekleyin."
    ),
    # transaction statuses (badges, filters, history.STATUSES)
    "Pending": "Beklemede",
    "Processing": "İşleniyor",
    "Completed": "Tamamlandı",
    "Failed": "Başarısız",
    "Cancelled": "İptal edildi",
    "Rejected": "Reddedildi",
    "Unknown": "Bilinmiyor",
    # transaction types (filters: "deposit".capitalize())
    "Deposit": "Yatırım",
    "Withdrawal": "Çekim",
    # --- EnigmaPay API errors (dashboard/client/errors.py) --------------------------------------
    "EnigmaPay could not complete the request. Try again; if it keeps failing, contact support.": (
        "EnigmaPay isteği tamamlayamadı. Tekrar deneyin; sorun sürerse destek ekibine başvurun."
    ),
    "EnigmaPay could not be reached. Check the network connection and try again in a minute.": (
        "EnigmaPay'e ulaşılamadı. Ağ bağlantısını kontrol edip bir dakika sonra tekrar deneyin."
    ),
    "The {what} was sent to EnigmaPay but no answer came back, so it may or may not have happened. "
    "Do not send it again: check its status in the transaction list or with EnigmaPay first.": (
        "İstek ({what}) EnigmaPay'e gönderildi ancak yanıt gelmedi; gerçekleşmiş de olabilir, "
        "gerçekleşmemiş de. Tekrar göndermeyin: önce durumunu işlem listesinden veya EnigmaPay'den kontrol edin."
    ),
    "The payout was sent to EnigmaPay but no answer came back, so it may or may not have happened. "
    "Do not send it again: check its status in the transaction list or with EnigmaPay first.": (
        "Para gönderimi EnigmaPay'e iletildi ancak yanıt gelmedi; gerçekleşmiş de olabilir, gerçekleşmemiş de. "
        "Tekrar göndermeyin: önce durumunu işlem listesinden veya EnigmaPay'den kontrol edin."
    ),
    "The card payment was sent to EnigmaPay but no answer came back, so it may or may not have happened. "
    "Do not send it again: check its status in the transaction list or with EnigmaPay first.": (
        "Kartlı ödeme EnigmaPay'e iletildi ancak yanıt gelmedi; gerçekleşmiş de olabilir, gerçekleşmemiş de. "
        "Tekrar göndermeyin: önce durumunu işlem listesinden veya EnigmaPay'den kontrol edin."
    ),
    "The request was sent to EnigmaPay but no answer came back, so it may or may not have happened. "
    "Do not send it again: check its status in the transaction list or with EnigmaPay first.": (
        "İstek EnigmaPay'e iletildi ancak yanıt gelmedi; gerçekleşmiş de olabilir, gerçekleşmemiş de. "
        "Tekrar göndermeyin: önce durumunu işlem listesinden veya EnigmaPay'den kontrol edin."
    ),
    "EnigmaPay sent an answer the console cannot read. Try again later; if it persists, contact support.": (
        "EnigmaPay konsolun okuyamadığı bir yanıt gönderdi. Daha sonra tekrar deneyin; sorun sürerse destek "
        "ekibine başvurun."
    ),
    "EnigmaPay refused the API credentials. Check ENIGMAPAY_API_KEY and ENIGMAPAY_SECRET_KEY (both must be "
    "the pair issued for this dealer), then restart the console.": (
        "EnigmaPay API kimlik bilgilerini reddetti. ENIGMAPAY_API_KEY ve ENIGMAPAY_SECRET_KEY değerlerini "
        "kontrol edin (ikisi de bu bayi için verilmiş çift olmalıdır), ardından konsolu yeniden başlatın."
    ),
    "This feature is not enabled for your dealer account. Contact EnigmaPay support to activate it.": (
        "Bu özellik bayi hesabınızda etkin değil. Etkinleştirmek için EnigmaPay destek ekibine başvurun."
    ),
    "EnigmaPay does not know this item. Check the ID and try again.": (
        "EnigmaPay bu kaydı tanımıyor. Numarayı kontrol edip tekrar deneyin."
    ),
    "EnigmaPay rejected the input. Correct the highlighted fields and try again.": (
        "EnigmaPay girilen bilgileri reddetti. İşaretli alanları düzeltip tekrar deneyin."
    ),
    "EnigmaPay rejected the input ({details}). Correct it and try again.": (
        "EnigmaPay girilen bilgileri reddetti ({details}). Düzeltip tekrar deneyin."
    ),
    "EnigmaPay is limiting how fast the console may ask. Wait a minute and try again.": (
        "EnigmaPay konsolun istek hızını sınırlıyor. Bir dakika bekleyip tekrar deneyin."
    ),
    "EnigmaPay is limiting how fast the console may ask. Wait {retry_after} seconds and try again.": (
        "EnigmaPay konsolun istek hızını sınırlıyor. {retry_after} saniye bekleyip tekrar deneyin."
    ),
    "EnigmaPay had an internal problem. Try again in a few minutes.": (
        "EnigmaPay tarafında dahili bir sorun oluştu. Birkaç dakika sonra tekrar deneyin."
    ),
    # the sandbox's answer to the settings call (shown on Overview)
    "Connection successful": "Bağlantı başarılı",
    # --- input checks (dashboard/validation.py, dashboard/money.py, dashboard/iban.py) ----------
    "Enter text here.": "Buraya metin girin.",
    "Remove the invisible control characters (a pasted line break, tab or similar).": (
        "Görünmeyen kontrol karakterlerini kaldırın (yapıştırılmış satır sonu, sekme vb.)."
    ),
    "Enter an amount.": "Bir tutar girin.",
    "This is not an amount.": "Bu bir tutar değil.",
    "The amount must be more than zero.": "Tutar sıfırdan büyük olmalıdır.",
    "Use at most two decimals (kuruş).": "En fazla iki ondalık basamak (kuruş) kullanın.",
    "The amount must be at least {lowest}.": "Tutar en az {lowest} olmalıdır.",
    "The amount must be at least ₺200.00.": "Tutar en az 200,00 ₺ olmalıdır.",
    "The amount is above {highest}, the console's limit; check for a typo.": (
        "Tutar konsolun üst sınırı olan {highest} tutarını aşıyor; yazım hatası olup olmadığını kontrol edin."
    ),
    "The amount is above ₺1,000,000.00, the console's limit; check for a typo.": (
        "Tutar konsolun üst sınırı olan 1.000.000,00 ₺ tutarını aşıyor; yazım hatası olup olmadığını kontrol edin."
    ),
    "An amount has only digits and one decimal separator, e.g. 1500,50.": (
        "Tutar yalnızca rakamlardan ve bir ondalık ayırıcıdan oluşur, ör. 1500,50."
    ),
    "The thousands separators in this amount are misplaced.": "Bu tutardaki binlik ayırıcılar yanlış yerde.",
    "Write the amount without thousands separators, e.g. 1500000,00.": (
        "Tutarı binlik ayırıcı olmadan yazın, ör. 1500000,00."
    ),
    "Enter the customer's IBAN.": "Müşterinin IBAN'ını girin.",
    "A Turkish IBAN starts with TR.": "Türk IBAN'ı TR ile başlar.",
    "An IBAN has only letters and digits.": "IBAN yalnızca harf ve rakamlardan oluşur.",
    "A Turkish IBAN has {TR_IBAN_LENGTH} characters; this one has {length}.": (
        "Türk IBAN'ı {TR_IBAN_LENGTH} karakterden oluşur; bu IBAN {length} karakter."
    ),
    "After TR a Turkish IBAN has only digits.": "Türk IBAN'ında TR'den sonra yalnızca rakam bulunur.",
    "The IBAN's check digits do not match: look for a typo.": (
        "IBAN'ın kontrol basamakları tutmuyor: yazım hatası olup olmadığına bakın."
    ),
    "Enter the name.": "Adı girin.",
    "A name needs letters.": "Ad harf içermelidir.",
    "Enter the customer's username.": "Müşterinin kullanıcı adını girin.",
    "Enter the customer's email address.": "Müşterinin e-posta adresini girin.",
    "Enter the customer's phone number.": "Müşterinin telefon numarasını girin.",
    "Enter a Turkish phone number with 10 digits, e.g. 0532 123 45 67.": (
        "10 haneli bir Türkiye telefon numarası girin, ör. 0532 123 45 67."
    ),
    "Enter a transaction id.": "Bir işlem numarası girin.",
    # --- money action outcomes (dashboard/ui/money_form.py) --------------------------------------
    "Accepted by EnigmaPay. Transaction id: {id}": "EnigmaPay tarafından kabul edildi. İşlem numarası: {id}",
    "EnigmaPay refused it; nothing was done.": "EnigmaPay reddetti; hiçbir işlem yapılmadı.",
    "Not sent: the request never reached EnigmaPay.": "Gönderilmedi: istek EnigmaPay'e hiç ulaşmadı.",
    "The outcome is unknown: EnigmaPay did not answer. The request may or may not have been carried out. "
    "Do NOT send it again: its status is being checked and will show on the Operations page.": (
        "Sonuç bilinmiyor: EnigmaPay yanıt vermedi. İstek gerçekleşmiş de olabilir, gerçekleşmemiş de. "
        "Tekrar GÖNDERMEYİN: durumu kontrol ediliyor ve Talimatlar sayfasında görünecek."
    ),
    "An operator confirmed this was not sent.": "Bir operatör bunun gönderilmediğini onayladı.",
    "Operation {id} · {state} · {at}": "Talimat {id} · {state} · {at}",
    # journal states (journal.STATES) and kinds
    "held": "bekletiliyor",
    "pending": "beklemede",
    "confirmed": "onaylandı",
    "rejected": "reddedildi",
    "failed_before_send": "gönderilemedi",
    "unknown": "sonucu bilinmiyor",
    "not_sent": "gönderilmedi",
    "payout": "para gönderimi",
    "card_payment": "kartlı ödeme",
    # --- journal messages, stored with each entry (dashboard/journal.py, dashboard/ui/audit_view.py)
    "The console could not set up its EnigmaPay connection (check the settings); nothing was sent.": (
        "Konsol EnigmaPay bağlantısını kuramadı (ayarları kontrol edin); hiçbir şey gönderilmedi."
    ),
    "EnigmaPay accepted the payout but sent no transaction id.": (
        "EnigmaPay para gönderimini kabul etti ancak işlem numarası göndermedi."
    ),
    "The answer never came: the payout may or may not have been made. Do not resend; it will be settled.": (
        "Yanıt hiç gelmedi: para gönderimi yapılmış da olabilir, yapılmamış da. Tekrar göndermeyin; "
        "durum netleştirilecek."
    ),
    "The request failed.": "İstek başarısız oldu.",
    "The console stopped before EnigmaPay's answer arrived.": "Konsol, EnigmaPay'in yanıtı gelmeden durdu.",
    "The console stopped (or lost the request) before EnigmaPay's answer arrived.": (
        "Konsol, EnigmaPay'in yanıtı gelmeden durdu (veya isteği kaybetti)."
    ),
    "EnigmaPay did not answer: the payout may or may not have been made.": (
        "EnigmaPay yanıt vermedi: para gönderimi yapılmış da olabilir, yapılmamış da."
    ),
    "{count} matching payouts found ({ids}): an operator must pick the right one.": (
        "Eşleşen {count} para gönderimi bulundu ({ids}): doğru olanı bir operatör seçmelidir."
    ),
    "Several callbacks could belong to this payout: an operator must pick one.": (
        "Birden fazla geri bildirim bu para gönderimine ait olabilir: bir operatör birini seçmelidir."
    ),
    "No matching payout found {minutes}+ minutes after the attempt. Check with EnigmaPay, then mark it resolved.": (
        "Denemeden {minutes}+ dakika sonra eşleşen para gönderimi bulunamadı. EnigmaPay ile kontrol edin, "
        "ardından çözüldü olarak işaretleyin."
    ),
    "Settled: found in the {found_in}.": "Netleşti: {found_in} içinde bulundu.",
    "Settled: found in the transaction history.": "Netleşti: işlem geçmişinde bulundu.",
    "Settled: found in the callback.": "Netleşti: geri bildirimde bulundu.",
    "Settled: found in the status check.": "Netleşti: durum sorgusunda bulundu.",
    # --- Overview ----------------------------------------------------------------------------------
    "Active": "Aktif",
    "Inactive": "Pasif",
    "Credit card": "Kredi kartı",
    "Commission": "Komisyon",
    "E-IBAN": "E-IBAN",
    "Deposit commission": "Yatırım komisyonu",
    "Withdrawal commission": "Çekim komisyonu",
    "Withdrawal fee": "Çekim masrafı",
    "Manual IBAN": "Manuel IBAN",
    "Total balance": "Toplam bakiye",
    "IBANs": "IBAN'lar",
    "active": "aktif",
    "Balances refresh once a minute upstream.": "Bakiyeler kaynağında dakikada bir güncellenir.",
    # --- Balances ----------------------------------------------------------------------------------
    "No IBANs are assigned to this dealer yet.": "Bu bayiye henüz IBAN atanmamış.",
    "Updated": "Güncellendi",
    "IBAN": "IBAN",
    "Owner": "Hesap sahibi",
    "Bank": "Banka",
    "Status": "Durum",
    "Balance (₺)": "Bakiye (₺)",
    "Balance over time": "Zaman içinde bakiye",
    "Period": "Dönem",
    "{n} days": "{n} gün",
    "Loading history…": "İşlem geçmişi yükleniyor…",
    "Loading history: {done} of {total} IBANs": "İşlem geçmişi yükleniyor: {total} IBAN'dan {done} tanesi",
    "Loading history: {done} of {total} IBANs, {pages} of {known} pages": (
        "İşlem geçmişi yükleniyor: {total} IBAN'dan {done} tanesi, {known} sayfadan {pages} tanesi"
    ),
    "Date": "Tarih",
    "Recorded once a minute while the console runs; earlier points are reconstructed backwards from "
    "today's balances and the completed transactions.": (
        "Konsol çalışırken dakikada bir kaydedilir; daha önceki noktalar bugünkü bakiyelerden ve tamamlanan "
        "işlemlerden geriye doğru hesaplanır."
    ),
    # --- Transactions ------------------------------------------------------------------------------
    "All IBANs": "Tüm IBAN'lar",
    "Today": "Bugün",
    "7 days": "7 gün",
    "30 days": "30 gün",
    "This month": "Bu ay",
    "today": "bugün",
    "this month": "bu ay",
    "Custom": "Özel",
    "From – to": "Başlangıç – bitiş",
    "Any status": "Tüm durumlar",
    "Type": "Tür",
    "Any type": "Tüm türler",
    "Min ₺": "En az ₺",
    "Max ₺": "En çok ₺",
    "Search": "Ara",
    "username, customer, description, IBAN": "kullanıcı adı, müşteri, açıklama, IBAN",
    "Money in": "Giren para",
    "Money out": "Çıkan para",
    "Net": "Net",
    "Money figures count completed transactions only.": "Tutarlar yalnızca tamamlanan işlemleri kapsar.",
    "Deposits": "Yatırımlar",
    "Withdrawals": "Çekimler",
    "Download CSV": "CSV indir",
    "Download Excel": "Excel indir",
    "Excel holds at most {n:,} rows: narrow the filter or download CSV.": (
        "Excel en fazla {n} satır alır: filtreyi daraltın veya CSV indirin."
    ),
    # --- Send money ---------------------------------------------------------------------------------
    "The e-IBAN channel is inactive for this dealer: EnigmaPay may refuse payouts.": (
        "Bu bayi için e-IBAN kanalı pasif: EnigmaPay para gönderimlerini reddedebilir."
    ),
    "Confirm payout": "Para gönderimini onayla",
    "Customer username": "Müşteri kullanıcı adı",
    "Amount": "Tutar",
    "Customer IBAN": "Müşteri IBAN",
    "Receiving bank": "Alıcı banka",
    "Bank code {code} (not in the bank registry)": "Banka kodu {code} (banka listesinde yok)",
    "Account holder": "Hesap sahibi",
    "Account holder name": "Hesap sahibinin adı",
    "Description": "Açıklama",
    "Description (optional)": "Açıklama (isteğe bağlı)",
    "Fee": "Masraf",
    "Total debited": "Hesaptan düşülecek toplam",
    "This moves real money and cannot be undone.": "Bu işlem gerçek para aktarır ve geri alınamaz.",
    "Send {amount}": "{amount} gönder",
    "Cancel": "Vazgeç",
    "Live status unavailable: {why}": "Anlık durum alınamıyor: {why}",
    "Live status, checked every 5 s until final.": "Anlık durum; kesinleşene kadar 5 sn'de bir kontrol edilir.",
    "Final status.": "Kesin durum.",
    "A payout with the same IBAN, amount and username was made {age} (operation {id}). Is a second payout intended?": (
        "Aynı IBAN, tutar ve kullanıcı adıyla {age} bir para gönderimi yapıldı (talimat {id}). "
        "İkinci bir gönderim mi isteniyor?"
    ),
    "Yes, send a second payout": "Evet, ikinci kez gönder",
    "No, do not send": "Hayır, gönderme",
    "Correct and try again": "Düzeltip tekrar dene",
    "New payout": "Yeni para gönderimi",
    "Amount (₺)": "Tutar (₺)",
    "Preview": "Önizleme",
    "Review payout": "Para gönderimini incele",
    # --- Card payment -----------------------------------------------------------------------------
    "Card payments are not enabled for this dealer (the credit-card channel is inactive). Ask EnigmaPay "
    "support to enable it; this form opens once it is.": (
        "Bu bayi için kartlı ödeme etkin değil (kredi kartı kanalı pasif). Etkinleştirilmesi için EnigmaPay "
        "destek ekibine başvurun; etkinleştirildiğinde bu form açılır."
    ),
    "Commission {rate} per card payment.": "Kartlı ödeme başına komisyon: {rate}.",
    "Confirm card payment link": "Kartlı ödeme bağlantısını onayla",
    "Name": "Ad soyad",
    "Email": "E-posta",
    "Phone": "Telefon",
    "Create payment link": "Ödeme bağlantısı oluştur",
    "Payment link": "Ödeme bağlantısı",
    "copy it for the customer or open it": "müşteri için kopyalayın veya açın",
    "Open payment page": "Ödeme sayfasını aç",
    "Order id": "Sipariş numarası",
    "Transaction id": "İşlem numarası",
    "New card payment": "Yeni kartlı ödeme",
    "First name": "Ad",
    "Last name": "Soyad",
    "Amount (₺, at least {min})": "Tutar (₺, en az {min})",
    "Review card payment": "Kartlı ödemeyi incele",
    # --- Lookup --------------------------------------------------------------------------------------
    "Paste a transaction id. The page address then links straight to it, for sharing.": (
        "Bir işlem numarası yapıştırın. Sayfa adresi doğrudan bu işleme bağlanır; paylaşabilirsiniz."
    ),
    "Created": "Oluşturulma",
    "Not final yet: check again in a moment.": "Henüz kesinleşmedi: birazdan tekrar kontrol edin.",
    "Check again": "Tekrar kontrol et",
    # --- Operations ----------------------------------------------------------------------------------
    "A note is required: say how you checked (e.g. who at EnigmaPay confirmed it).": (
        "Not zorunludur: nasıl kontrol ettiğinizi yazın (ör. EnigmaPay'de kimin onayladığı)."
    ),
    "Not resolved: {why}": "Çözülmedi: {why}",
    "Marked as not sent by {who}.": "{who} tarafından gönderilmedi olarak işaretlendi.",
    "Marked as transaction {id} by {who}.": "{who} tarafından {id} numaralı işlem olarak işaretlendi.",
    "Settled: EnigmaPay carried it out as transaction {id}. Nothing was sent again.": (
        "Netleşti: EnigmaPay bunu {id} numaralı işlem olarak gerçekleştirdi. Hiçbir şey tekrar gönderilmedi."
    ),
    "This request may still be in flight; wait for its answer, then check again.": (
        "Bu istek hâlâ sürüyor olabilir; yanıtını bekleyin, ardından tekrar kontrol edin."
    ),
    "Still unknown. A card payment link whose answer was lost moves no money by itself: check with "
    "EnigmaPay, then mark it resolved. Nothing was sent again.": (
        "Hâlâ bilinmiyor. Yanıtı kaybolan bir kartlı ödeme bağlantısı kendi başına para aktarmaz: EnigmaPay ile "
        "kontrol edin, ardından çözüldü olarak işaretleyin. Hiçbir şey tekrar gönderilmedi."
    ),
    "Still unknown: no matching payout found at EnigmaPay yet. Nothing was sent again.": (
        "Hâlâ bilinmiyor: EnigmaPay'de henüz eşleşen para gönderimi bulunamadı. Hiçbir şey tekrar gönderilmedi."
    ),
    "Needing attention": "İlgilenilmesi gerekenler",
    "{n} request(s) sent from this console and waiting for EnigmaPay's answer.": (
        "Bu konsoldan gönderilen {n} istek EnigmaPay'in yanıtını bekliyor."
    ),
    "{n} request(s) have no answer recorded and no console here is waiting for one: the process that "
    "sent them stopped, or another console sent them. They are checked from {at}; nothing is sent again.": (
        "{n} isteğin kayıtlı yanıtı yok ve burada onu bekleyen bir konsol da yok: gönderen süreç durdu ya da "
        "isteği başka bir konsol gönderdi. {at} itibarıyla kontrol edilecekler; hiçbir şey yeniden gönderilmez."
    ),
    "Nothing open: every money action has a known outcome.": "Açık talimat yok: her para hareketinin sonucu belli.",
    "Sent {at} ({age}) by {who} · operation {id}": "{at} ({age}) tarihinde {who} gönderdi · talimat {id}",
    "Why it is open": "Neden açık",
    "Check now": "Şimdi kontrol et",
    "Mark as not sent / resolved…": "Gönderilmedi / çözüldü olarak işaretle…",
    "Only after checking with EnigmaPay. Without a transaction id the entry is closed as **not sent**; "
    "with one, as that transaction.": (
        "Yalnızca EnigmaPay ile kontrol ettikten sonra. İşlem numarası girilmezse talimat **gönderilmedi** olarak "
        "kapatılır; girilirse o işlem olarak."
    ),
    "Note (required): how was it checked?": "Not (zorunlu): nasıl kontrol edildi?",
    "EnigmaPay transaction id (only if it was carried out)": "EnigmaPay işlem numarası (yalnızca gerçekleştiyse)",
    "Confirm": "Onayla",
    "Recent operations": "Son talimatlar",
    "State": "Aşama",
    "Any state": "Tüm aşamalar",
    "{n} operation(s); newest first, at most 200.": "{n} talimat; en yenisi önce, en fazla 200.",
    # operations table (audit_view.operations_frame)
    "Kind": "Tür",
    "Username": "Kullanıcı adı",
    "IBAN (masked)": "IBAN (maskeli)",
    "Actor": "İşlemi yapan",
    "Note": "Not",
    "Operation": "Talimat",
    # --- Callbacks -----------------------------------------------------------------------------------
    "Callbacks are not configured: the console is connected to the live API and no callback token is set, "
    "so the callback URL answers 404 and status changes arrive only through status checks.": (
        "Geri bildirimler yapılandırılmamış: konsol canlı API'ye bağlı ve geri bildirim anahtarı (token) "
        "tanımlı değil; bu yüzden geri bildirim adresi 404 döndürür ve durum değişiklikleri yalnızca durum "
        "sorgularıyla gelir."
    ),
    "To receive callbacks:\n"
    "1. Set `ENIGMAPAY_CALLBACK_TOKEN` to a random secret of at least 16 characters (environment, `.env` or "
    "`.streamlit/secrets.toml`), optionally `ENIGMAPAY_CALLBACK_ALLOWED_IPS`.\n"
    "2. Restart the console.\n"
    "3. Register `https://<this server>/callbacks/<token>` as the callback URL with EnigmaPay.": (
        "Geri bildirim almak için:\n"
        "1. `ENIGMAPAY_CALLBACK_TOKEN` değerine en az 16 karakterlik rastgele bir gizli değer verin (ortam "
        "değişkeni, `.env` veya `.streamlit/secrets.toml`); isteğe bağlı olarak `ENIGMAPAY_CALLBACK_ALLOWED_IPS`.\n"
        "2. Konsolu yeniden başlatın.\n"
        "3. EnigmaPay'e geri bildirim adresi olarak `https://<bu sunucu>/callbacks/<token>` adresini kaydettirin."
    ),
    "Callback URL to register with EnigmaPay: `https://<this server>{path}`": (
        "EnigmaPay'e kaydettirilecek geri bildirim adresi: `https://<bu sunucu>{path}`"
    ),
    "The token is masked here: the full URL holds a secret. It is `/callbacks/` followed by "
    "ENIGMAPAY_CALLBACK_TOKEN from the server's configuration.": (
        "Anahtar burada maskelenmiştir: tam adres gizli bir değer içerir. Adres, `/callbacks/` ve ardından "
        "sunucu yapılandırmasındaki ENIGMAPAY_CALLBACK_TOKEN değerinden oluşur."
    ),
    "On the sandbox the token is random per start and the sandbox is pointed at it automatically.": (
        "Test ortamında anahtar her başlatmada rastgele üretilir ve test ortamı otomatik olarak ona yönlendirilir."
    ),
    "Verify now": "Şimdi doğrula",
    "EnigmaPay could not be asked; the events stay pending and are retried.": (
        "EnigmaPay'e sorulamadı; olaylar beklemede kalır ve yeniden denenir."
    ),
    "Checked: {what}.": "Kontrol edildi: {what}.",
    "Nothing waited for verification.": "Doğrulama bekleyen olay yoktu.",
    "No callbacks received yet.": "Henüz geri bildirim alınmadı.",
    "Newest {n} events, refreshed every 5 s. A repeated delivery is stored once and counted.": (
        "En yeni {n} olay, 5 sn'de bir yenilenir. Tekrarlanan bir iletim bir kez kaydedilir ve sayılır."
    ),
    "Live feed": "Canlı akış",
    "Transaction timeline": "İşlem zaman çizelgesi",
    "transaction-status": "transaction-status sorgusu",
    "a callback": "bir geri bildirim",
    "Current status: **{status}** (from {source}, {at}){final}": "Güncel durum: **{status}** ({source}, {at}){final}",
    ", final": ", kesin",
    "The console has no record of transaction {id}.": "Konsolda {id} numaralı işleme ait kayıt yok.",
    # verification (audit_view.VERIFICATION_LABELS / VERIFICATION_HELP; verify_pending's counts)
    "⏳ pending": "⏳ bekliyor",
    "✅ verified": "✅ doğrulandı",
    "↪️ superseded": "↪️ eskidi",
    "⚠️ mismatch": "⚠️ uyuşmazlık",
    "⛔ unverified (forged?)": "⛔ doğrulanamadı (sahte?)",
    "not yet checked against transaction-status": "henüz transaction-status ile kontrol edilmedi",
    "transaction-status reports the same status and amount": "transaction-status aynı durumu ve tutarı bildiriyor",
    "the transaction has moved on to a later status": "işlem daha sonraki bir duruma geçti",
    "transaction-status contradicts this final event: look at it": (
        "transaction-status bu kesin olayla çelişiyor: inceleyin"
    ),
    "EnigmaPay does not know this transaction: never trusted": "EnigmaPay bu işlemi tanımıyor: asla güvenilmez",
    "verified": "doğrulandı",
    "superseded": "eskidi",
    "mismatch": "uyuşmazlık",
    "unverified": "doğrulanamadı",
    # callback table and timeline (audit_view.events_frame / timeline_frame)
    "Received": "Alınma",
    "Verification": "Doğrulama",
    "EnigmaPay says": "EnigmaPay'e göre",
    "Deliveries": "İletim sayısı",
    "Time": "Zaman",
    "Source": "Kaynak",
    "What": "Ne oldu",
    "Detail": "Ayrıntı",
    "📒 journal": "📒 talimat kaydı",
    # timeline titles (dashboard/callbacks.py timeline: "{kind} submitted", "{kind} {state}"), one by one:
    # a "{kind} {state}" pattern would match any two words
    "payout submitted": "Para gönderimi gönderildi",
    "payout held": "Para gönderimi bekletildi",
    "payout pending": "Para gönderimi beklemede",
    "payout confirmed": "Para gönderimi onaylandı",
    "payout rejected": "Para gönderimi reddedildi",
    "payout failed_before_send": "Para gönderimi gönderilemedi",
    "payout unknown": "Para gönderimi sonucu bilinmiyor",
    "payout not_sent": "Para gönderimi gönderilmedi",
    "card_payment submitted": "Kartlı ödeme gönderildi",
    "card_payment held": "Kartlı ödeme bekletildi",
    "card_payment pending": "Kartlı ödeme beklemede",
    "card_payment confirmed": "Kartlı ödeme onaylandı",
    "card_payment rejected": "Kartlı ödeme reddedildi",
    "card_payment failed_before_send": "Kartlı ödeme gönderilemedi",
    "card_payment unknown": "Kartlı ödeme sonucu bilinmiyor",
    "card_payment not_sent": "Kartlı ödeme gönderilmedi",
    "callback received": "Geri bildirim alındı",
    "status checked": "Durum sorgulandı",
    # settings page: what each setting means (dashboard/config.py SETTINGS) and how it is shown
    "API base URL": "API temel adresi",
    "dealer API key; unset = built-in sandbox": "bayi API anahtarı; boşsa yerleşik test ortamı",
    "dealer secret key, required with an API key": "bayi gizli anahtarı; API anahtarıyla birlikte zorunlu",
    "read timeout for API calls, seconds": "API çağrıları için okuma zaman aşımı, saniye",
    "dealer time zone for dates and day boundaries": "tarihler ve gün sınırları için bayinin saat dilimi",
    "folder for the journal / audit / callback database": "talimat / denetim / geri bildirim veritabanının klasörü",
    "postgresql:// URL of a shared database (several replicas); unset = SQLite": (
        "paylaşılan veritabanının postgresql:// adresi (birden çok kopya); boşsa SQLite"
    ),
    "days before today that every view of the history fetches again (the mirror's look-back)": (
        "geçmişin her görünümünde yeniden alınan, bugünden önceki gün sayısı (aynanın geriye bakışı)"
    ),
    "connections each console keeps to ENIGMAPAY_DATABASE_URL": (
        "her konsolun ENIGMAPAY_DATABASE_URL veritabanına açık tuttuğu bağlantı sayısı"
    ),
    "secret path token of the callback URL": "geri bildirim adresindeki gizli yol anahtarı",
    "comma-separated source IPs allowed to post callbacks": "geri bildirim göndermesine izin verilen kaynak IP'ler, virgülle ayrılmış",
    "default language, en or tr": "varsayılan dil, en veya tr",
    "size of the sandbox's demo history": "test ortamındaki deneme geçmişinin büyüklüğü",
    "history pages fetched at once per client, all IBANs and first pages together, shared fairly (a 429 slows them)": (
        "istemci başına aynı anda çekilen geçmiş sayfası sayısı; tüm IBAN'lar ve ilk sayfalar birlikte, "
        "adil paylaşılır (429 yavaşlatır)"
    ),
    "TOML file of sign-in accounts; default <data dir>/users.toml": "oturum açma hesaplarının TOML dosyası; varsayılan <veri klasörü>/users.toml",
    "minutes without use after which a sign-in expires": "kullanılmadığında oturumun sona ereceği süre, dakika",
    "true = no sign-in (single-user local setup only)": "true = oturum açma yok (yalnızca tek kullanıcılı yerel kurulum)",
    "key signing session cookies; default a random key in the data dir": "oturum çerezlerini imzalayan anahtar; varsayılan: veri klasöründe rastgele bir anahtar",
    "roles that must use two-factor sign-in; default those that move money, approve or administer": (
        "iki adımlı doğrulama kullanması gereken roller; varsayılan: para gönderen, onaylayan veya yöneten roller"
    ),
    "key encrypting two-factor secrets at rest; default a random key in the data dir": (
        "iki adımlı doğrulama sırlarını saklarken şifreleyen anahtar; varsayılan: veri klasöründe rastgele bir anahtar"
    ),
    "false = only single sign-on (OIDC); user name and password are refused": (
        "false = yalnızca tek oturum açma (OIDC); kullanıcı adı ve parola reddedilir"
    ),
    "which [auth.NAME] provider of secrets.toml signs people in": (
        "secrets.toml içindeki hangi [auth.NAME] sağlayıcısının oturum açtıracağı"
    ),
    "ID-token claim holding a person's groups, e.g. groups": "kişinin gruplarını taşıyan ID token alanı, ör. groups",
    "claim value -> role, e.g. console-admins=admin,payments=operator": (
        "alan değeri -> rol, ör. console-admins=admin,payments=operator"
    ),
    "verified e-mail -> role, e.g. ayse@example.com=admin": "doğrulanmış e-posta -> rol, ör. ayse@example.com=admin",
    "set": "tanımlı",
    "not set": "tanımlı değil",
    "any": "tümü",
    "📨 callback": "📨 geri bildirim",
    "🔎 status check": "🔎 durum sorgusu",
    # --- Audit log -----------------------------------------------------------------------------------
    "Who did what, when, for how much, and how it ended. Append-only: entries are never changed or removed.": (
        "Kim, ne zaman, ne tutarda, ne yaptı ve nasıl sonuçlandı. Yalnızca ekleme yapılır: kayıtlar asla "
        "değiştirilmez veya silinmez."
    ),
    "Showing the newest {n} entries of this period; narrow the dates to see older ones.": (
        "Bu dönemin en yeni {n} kaydı gösteriliyor; daha eskilerini görmek için tarih aralığını daraltın."
    ),
    "Anyone": "Herkes",
    "Action": "Eylem",
    "Any action": "Tüm eylemler",
    "{shown} of {total} entries in this period.": "Bu dönemdeki {total} kayıttan {shown} tanesi.",
    "Exactly the rows shown. The download is itself recorded in the audit log.": (
        "Yalnızca gösterilen satırlar. İndirme işleminin kendisi de denetim kaydına yazılır."
    ),
    # audit columns (audit_view.AUDIT_COLUMNS) and actions (dashboard.audit.ACTIONS)
    "Outcome": "Sonuç",
    "Details": "Ayrıntılar",
    "send_money": "para gönderimi",
    "export": "dışa aktarım",
    "settle": "netleştirme",
    "sign_in": "oturum açma",
    "sign_in_failed": "başarısız oturum açma",
    "mark_resolved": "çözüldü olarak işaretleme",
    "sign_out_everywhere": "tüm oturumları kapatma",
    "role_changed": "rol değişikliği",
    "sandbox_drift": "sandbox bakiye kaydırma",
    "session_ended": "oturum sonlandırma",
    # --- Settings ------------------------------------------------------------------------------------
    "Read-only: settings come from environment variables, .env or .streamlit/secrets.toml and take effect "
    "on restart.": (
        "Salt okunur: ayarlar ortam değişkenlerinden, .env veya .streamlit/secrets.toml dosyasından gelir ve "
        "yeniden başlatınca geçerli olur."
    ),
    "Setting": "Ayar",
    "Value": "Değer",
    "Meaning": "Anlamı",
    "Accounts": "Hesaplar",
    "Sign-in is off: there are no accounts.": "Oturum açma kapalı: hesap yok.",
    "Add or change accounts with `python -m dashboard.auth add-user NAME --role ROLE`, then restart.": (
        "Hesap eklemek veya değiştirmek için `python -m dashboard.auth add-user AD --role ROL` komutunu "
        "çalıştırın, ardından yeniden başlatın."
    ),
    "Sign out everywhere": "Tüm oturumları kapat",
    "{n} session(s) of {user} ended.": "{user} kullanıcısının {n} oturumu kapatıldı.",
    # --- Background work: settling backs off and stops; callback verification backlog --------------
    "**Policy: an unknown outcome is settled by checking its status, never by sending again.** "
    "The server checks every open entry (transaction history, callbacks, transaction-status) 30 s after "
    "the attempt, then less and less often (at most every 30 min); after ENIGMAPAY_SETTLE_HORIZON_HOURS it "
    "stops and the entry needs a person. “Check now” runs the same check at once. Only a person may declare "
    "a payout not sent, after checking with EnigmaPay.": (
        "**Kural: sonucu bilinmeyen bir talimat, durumu kontrol edilerek netleştirilir; asla tekrar gönderilmez.** "
        "Sunucu açık talimatları (işlem geçmişi, geri bildirimler, transaction-status) denemeden 30 sn sonra, "
        "ardından giderek daha seyrek (en fazla 30 dakikada bir) kontrol eder; ENIGMAPAY_SETTLE_HORIZON_HOURS "
        "sonunda durur ve talimat bir kişinin ilgisini bekler. “Şimdi kontrol et” aynı kontrolü hemen yapar. "
        "Bir para gönderiminin yapılmadığını ancak EnigmaPay ile kontrol ettikten sonra bir kişi bildirebilir."
    ),
    "Needs a person: the console has stopped checking this entry automatically. Check with EnigmaPay, "
    "then mark it resolved.": (
        "Bir kişinin ilgilenmesi gerekiyor: konsol bu talimatı artık kendiliğinden kontrol etmiyor. "
        "EnigmaPay ile kontrol edin, ardından çözüldü olarak işaretleyin."
    ),
    "Ask transaction-status about the oldest events not yet checked, at ENIGMAPAY_VERIFY_RATE "
    "checks per second (the server does this continuously).": (
        "Henüz kontrol edilmemiş en eski olayları saniyede ENIGMAPAY_VERIFY_RATE sorguyla transaction-status'a "
        "sorar (sunucu bunu sürekli yapar)."
    ),
    "{n} event(s) waiting for verification; the oldest arrived {age}.": (
        "{n} olay doğrulanmayı bekliyor; en eskisi {age} geldi."
    ),
    # --- Forms: limits, rejection reasons, unknown costs, last outcome (h-forms) ----------------------
    "An amount has at most {limit} characters (this one has {length}).": (
        "Tutar en fazla {limit} karakter olabilir (bu {length} karakter)."
    ),
    "An IBAN as typed has at most {limit} characters (this one has {length}).": (
        "Yazılan IBAN en fazla {limit} karakter olabilir (bu {length} karakter)."
    ),
    "A name has at most {limit} characters (this one has {length}).": "Ad en fazla {limit} karakter olabilir (bu {length} karakter).",
    "A username has at most {limit} characters (this one has {length}).": (
        "Kullanıcı adı en fazla {limit} karakter olabilir (bu {length} karakter)."
    ),
    "A description has at most {limit} characters (this one has {length}).": (
        "Açıklama en fazla {limit} karakter olabilir (bu {length} karakter)."
    ),
    "An email address has at most {limit} characters (this one has {length}).": (
        "E-posta adresi en fazla {limit} karakter olabilir (bu {length} karakter)."
    ),
    "A phone number has at most {limit} characters (this one has {length}).": (
        "Telefon numarası en fazla {limit} karakter olabilir (bu {length} karakter)."
    ),
    "'{typed}' has 3 decimals; use at most 2 (kuruş).": "'{typed}' 3 ondalık basamaklı; en fazla 2 (kuruş) kullanın.",
    "'{typed}' has 3 decimals; use at most 2 (kuruş). For the whole number write {whole_number}.": (
        "'{typed}' 3 ondalık basamaklı; en fazla 2 (kuruş) kullanın. Tam sayıyı kastediyorsanız {whole_number} yazın."
    ),
    "'{typed}' is ambiguous: write {whole_number} for the whole number or {decimal} for lira and kuruş.": (
        "'{typed}' belirsiz: tam sayı için {whole_number}, lira ve kuruş için {decimal} yazın."
    ),
    "A name has only letters, spaces, apostrophes, hyphens and dots; remove {chars}.": (
        "Ad yalnızca harf, boşluk, kesme işareti, kısa çizgi ve nokta içerebilir; şunları çıkarın: {chars}."
    ),
    "A name has at least {low} characters.": "Ad en az {low} karakter olmalıdır.",
    "A username has only printable characters; remove {chars}.": (
        "Kullanıcı adı yalnızca yazdırılabilir karakterler içerebilir; şunları çıkarın: {chars}."
    ),
    "An email address has a name, an @ and a domain, e.g. name@example.com.": (
        "E-posta adresinde bir ad, bir @ ve bir alan adı bulunur, ör. ad@ornek.com."
    ),
    "The part before the @ has only Latin letters, digits and . _ - + and similar; remove {chars}.": (
        "@ işaretinden önceki kısım yalnızca Latin harfleri, rakamlar ve . _ - + gibi işaretler içerebilir; "
        "şunları çıkarın: {chars}."
    ),
    "The part before the @ cannot start or end with a dot or have two dots in a row.": (
        "@ işaretinden önceki kısım nokta ile başlayamaz, bitemez ve art arda iki nokta içeremez."
    ),
    "The part after the @ is not a domain name, e.g. example.com.": "@ işaretinden sonraki kısım bir alan adı değil, ör. ornek.com.",
    "The part before the @ has at most {limit} characters (this one has {length}).": (
        "@ işaretinden önceki kısım en fazla {limit} karakter olabilir (bu {length} karakter)."
    ),
    "A phone number has only digits, spaces, dashes, dots, brackets and a leading +; remove {chars}.": (
        "Telefon numarası yalnızca rakam, boşluk, kısa çizgi, nokta, parantez ve baştaki + içerebilir; "
        "şunları çıkarın: {chars}."
    ),
    "Only Turkish phone numbers (+90) are accepted.": "Yalnızca Türkiye telefon numaraları (+90) kabul edilir.",
    "At most {limit} characters.": "En fazla {limit} karakter.",
    "Load the dealer settings again": "Bayi ayarlarını yeniden yükle",
    "could not be loaded": "yüklenemedi",
    "The commission and fee could not be loaded from the dealer settings, so the total debited is unknown. "
    "Sending is blocked until the settings can be read.": (
        "Komisyon ve ücret bayi ayarlarından yüklenemedi; bu yüzden çekilecek toplam tutar bilinmiyor. "
        "Ayarlar okunabilene kadar gönderim engellendi."
    ),
    "The card commission could not be loaded from the dealer settings, so what the payment costs is unknown. "
    "Card payment links are blocked until the settings can be read.": (
        "Kart komisyonu bayi ayarlarından yüklenemedi; bu yüzden ödemenin maliyeti bilinmiyor. "
        "Ayarlar okunabilene kadar kartlı ödeme bağlantısı oluşturma engellendi."
    ),
    # --- Transaction ids and callbacks (hardening items 6 and 12) -------------------------------------
    "A transaction id is a whole number written with the digits 0-9, e.g. 123456.": (
        "İşlem numarası 0-9 rakamlarıyla yazılan bir tam sayıdır, ör. 123456."
    ),
    "A transaction id does not start with 0: check that the id is complete.": (
        "İşlem numarası 0 ile başlamaz: numaranın eksiksiz olduğunu kontrol edin."
    ),
    "A transaction id is 1 or more.": "İşlem numarası 1 veya daha büyüktür.",
    "A transaction id is at most 9223372036854775807.": "İşlem numarası en fazla 9223372036854775807 olabilir.",
    "Transaction {id}": "İşlem {id}",
    "⛔ impossible amount": "⛔ olanaksız tutar",
    "the amount it carries cannot be real (not a number, zero, negative, sub-kuruş or too large): never trusted, "
    "look at it": (
        "taşıdığı tutar gerçek olamaz (sayı değil, sıfır, negatif, kuruştan küçük ya da çok büyük): asla "
        "güvenilmez, inceleyin"
    ),
    # --- Batch payouts (issue 14): file checks, the desk, the page --------------------------------------
    "The file is empty.": "Dosya boş.",
    "The file is {size} KB; at most {limit} KB is accepted. Split it into smaller files.": (
        "Dosya {size} KB; en fazla {limit} KB kabul edilir. Dosyayı daha küçük dosyalara bölün."
    ),
    "Only CSV or XLSX files are accepted (save the sheet as .xlsx or .csv).": (
        "Yalnızca CSV veya XLSX dosyaları kabul edilir (tabloyu .xlsx ya da .csv olarak kaydedin)."
    ),
    "This file is not a readable XLSX workbook.": "Bu dosya okunabilir bir XLSX çalışma kitabı değil.",
    "The file has a header but no payout rows.": "Dosyada başlık satırı var ama ödeme satırı yok.",
    "The file is saved as UTF-16; save it as CSV UTF-8 (or Windows Turkish) instead.": (
        "Dosya UTF-16 olarak kaydedilmiş; bunun yerine CSV UTF-8 (veya Windows Türkçe) olarak kaydedin."
    ),
    "The file says it is UTF-8 but is not; save it again as CSV UTF-8.": (
        "Dosya UTF-8 olduğunu söylüyor ama değil; CSV UTF-8 olarak yeniden kaydedin."
    ),
    "The file's text encoding is not readable; save it as CSV UTF-8.": (
        "Dosyanın karakter kodlaması okunamıyor; CSV UTF-8 olarak kaydedin."
    ),
    "The CSV cannot be read near line {line}: {why}.": "CSV {line}. satır civarında okunamıyor: {why}.",
    "The file has more than {limit} payout rows; split it into files of at most {limit} rows.": (
        "Dosyada {limit} satırdan fazla ödeme var; en fazla {limit} satırlık dosyalara bölün."
    ),
    "The column {column} appears twice in the header.": "{column} sütunu başlıkta iki kez geçiyor.",
    "Unknown column(s): {names}. The columns are {expected} (or in Turkish: {turkish}).": (
        "Bilinmeyen sütun(lar): {names}. Sütunlar şunlardır: {expected} (veya Türkçe: {turkish})."
    ),
    "Missing column(s): {names}. The columns are {expected} (or in Turkish: {turkish}).": (
        "Eksik sütun(lar): {names}. Sütunlar şunlardır: {expected} (veya Türkçe: {turkish})."
    ),
    "Row {row} has a value in a column without a header.": "{row}. satırda başlığı olmayan bir sütunda değer var.",
    "{count} cell(s) start with = + - or @ (formula text), e.g. {cells}. Formulas are refused: "
    "enter plain values (and positive amounts) and upload the file again.": (
        "{count} hücre = + - veya @ ile başlıyor (formül metni), ör. {cells}. Formüller kabul edilmez: "
        "düz değerler (ve pozitif tutarlar) girip dosyayı yeniden yükleyin."
    ),
    "Approvals are not available on this console, so a batch cannot be submitted.": (
        "Bu konsolda onay özelliği yok; bu yüzden toplu ödeme onaya gönderilemez."
    ),
    "A batch needs a maker.": "Toplu ödemenin bir hazırlayanı olmalı.",
    "No row of this file can be sent: correct the file and upload it again.": (
        "Bu dosyanın hiçbir satırı gönderilemez: dosyayı düzeltip yeniden yükleyin."
    ),
    "The commission and fee are unknown, so the batch's total cannot be shown.": (
        "Komisyon ve masraf bilinmiyor; bu yüzden toplu ödemenin toplamı gösterilemez."
    ),
    "This batch is not approved, so it cannot be sent.": "Bu toplu ödeme onaylanmadı; bu yüzden gönderilemez.",
    "No such batch.": "Böyle bir toplu ödeme yok.",
    "Row": "Satır",
    "Check": "Kontrol",
    "Why": "Neden",
    "❌ not valid": "❌ geçersiz",
    "✅ to send": "✅ gönderilecek",
    "⚠️ left out": "⚠️ dışarıda bırakıldı",
    "repeats row {row}": "{row}. satırın tekrarı",
    "amount as typed: “{text}”": "yazılan tutar: “{text}”",
    "not sent": "gönderilmedi",
    "not sent yet": "henüz gönderilmedi",
    "none (refused)": "yok (reddedildi)",
    "not known yet": "henüz bilinmiyor",
    "same as recent payout {id}": "yakın zamandaki {id} gönderimiyle aynı",
    "invalid": "geçersiz",
    "skipped": "dışarıda bırakıldı",
    "queued": "sırada",
    "sending": "gönderiliyor",
    "done": "tamamlandı",
    "cancelled": "iptal edildi",
    "awaiting_approval": "onay bekliyor",
    "awaiting approval": "onay bekliyor",
    "paused": "duraklatıldı",
    "Batch payouts": "Toplu ödeme",
    "Batch payout": "Toplu ödeme",
    "Results": "Sonuçlar",
    "**{file}** · {state} · made by {maker} {age} · {n} payouts, {amount}": (
        "**{file}** · {state} · hazırlayan {maker}, {age} · {n} gönderim, {amount}"
    ),
    "A CSV or XLSX file with the columns {columns} (or in Turkish: {turkish}); description may be left out. "
    "At most {rows} rows and {kb} KB. Amounts as 1500,50 or 1500.50. Nothing is sent before a second person "
    "approves the batch.": (
        "{columns} sütunlarını (veya Türkçe: {turkish}) içeren bir CSV ya da XLSX dosyası; açıklama sütunu "
        "olmayabilir. En fazla {rows} satır ve {kb} KB. Tutarlar 1500,50 veya 1500.50 biçiminde. İkinci bir kişi "
        "onaylamadan hiçbir şey gönderilmez."
    ),
    "Batch": "Toplu ödeme",
    "Batches": "Toplu ödemeler",
    "Cancel the rows not yet sent": "Henüz gönderilmemiş satırları iptal et",
    "Cancelled: the rows not yet sent will never be sent.": (
        "İptal edildi: henüz gönderilmemiş satırlar hiçbir zaman gönderilmeyecek."
    ),
    "Download results (CSV)": "Sonuçları indir (CSV)",
    "Download results (Excel)": "Sonuçları indir (Excel)",
    "Each sent row is a payout of its own on the Operations page (operation = batch id - row).": (
        "Gönderilen her satır, Talimatlar sayfasında ayrı bir para gönderimidir (talimat = toplu ödeme no - satır)."
    ),
    "Every row to send has been sent; each row's outcome is below.": (
        "Gönderilecek her satır gönderildi; her satırın sonucu aşağıda."
    ),
    "Flagged as repeats": "Tekrar olarak işaretlenen",
    # the approval card of a batch (pages/approvals.py)
    "File": "Dosya",
    "Flagged rows sent too": "İşaretli satırlar da gönderilir",
    "yes": "evet",
    "no": "hayır",
    "New batch": "Yeni toplu ödeme",
    "No batches yet.": "Henüz toplu ödeme yok.",
    "Not valid": "Geçersiz",
    "Pause": "Duraklat",
    "Paused: the rows not yet sent wait until the batch is resumed.": (
        "Duraklatıldı: henüz gönderilmemiş satırlar, toplu ödeme sürdürülene kadar bekler."
    ),
    "Payout file": "Ödeme dosyası",
    "Resume": "Sürdür",
    "Rows in the file": "Dosyadaki satırlar",
    "Rows to send": "Gönderilecek satırlar",
    "Send the flagged rows too (each is a second payout of the same IBAN, amount and username)": (
        "İşaretlenen satırları da gönder (her biri aynı IBAN, tutar ve kullanıcı adına ikinci bir gönderimdir)"
    ),
    "Submit {n} payouts for approval": "{n} gönderimi onaya sun",
    "The approval was refused or ran out: nothing was sent.": (
        "Onay reddedildi ya da süresi doldu: hiçbir şey gönderilmedi."
    ),
    "The commission and fee could not be loaded from the dealer settings; submitting is blocked.": (
        "Komisyon ve masraf bayi ayarlarından yüklenemedi; onaya sunma engellendi."
    ),
    "The file was not accepted: {why}": "Dosya kabul edilmedi: {why}",
    "Waiting for approval by a second person (not {maker}). Nothing is sent before that.": (
        "İkinci bir kişinin onayı bekleniyor ({maker} dışında biri). Onaydan önce hiçbir şey gönderilmez."
    ),
    "{sent} of {total} sent · {confirmed} accepted · {open} outcome open · {refused} refused · {cancelled} not sent": (
        "{total} satırdan {sent} gönderildi · {confirmed} kabul edildi · {open} sonucu açık · {refused} reddedildi · "
        "{cancelled} gönderilmedi"
    ),
    # --- four-eyes approval (dashboard/approvals, pages/approvals.py, the Send money form) ----------
    "waiting": "onay bekliyor",
    "approved": "onaylandı",
    "expired": "süresi doldu",
    "batch": "toplu ödeme",
    "Only an approver or an administrator can approve or reject a request.": (
        "Bir talebi yalnızca onaylayıcı ya da yönetici onaylayabilir veya reddedebilir."
    ),
    "You made this request: a second person must approve or reject it.": (
        "Bu talebi siz oluşturdunuz: onaylamak ya da reddetmek ikinci bir kişiye düşer."
    ),
    "This request is approved already; nothing was changed.": "Bu talep zaten onaylanmış; hiçbir şey değişmedi.",
    "This request is rejected already; nothing was changed.": "Bu talep zaten reddedilmiş; hiçbir şey değişmedi.",
    "This request has expired; nothing was changed.": "Bu talebin süresi doldu; hiçbir şey değişmedi.",
    "Only a person who may move money can ask for a payout's approval.": (
        "Bir ödeme için onay talebini yalnızca para gönderme yetkisi olan biri oluşturabilir."
    ),
    "Say why the request is rejected: the maker reads the note.": (
        "Talebin neden reddedildiğini yazın: talebi oluşturan kişi bu notu okur."
    ),
    "A note has at most {limit} characters.": "Not en fazla {limit} karakter olabilir.",
    "There is no such request.": "Böyle bir talep yok.",
    "A payout of this amount needs a second person's approval before it is sent.": (
        "Bu tutardaki bir ödeme gönderilmeden önce ikinci bir kişinin onayını gerektirir."
    ),
    "This payout's approval request is not approved; nothing was sent.": (
        "Bu ödemenin onay talebi onaylanmamış; hiçbir şey gönderilmedi."
    ),
    "This approval is for another payout; nothing was sent.": (
        "Bu onay başka bir ödemeye ait; hiçbir şey gönderilmedi."
    ),
    "{n} waiting for your approval": "Onayınızı bekleyen {n} talep",
    "Waiting for a second person's approval; nothing has been sent. The request expires {at}.": (
        "İkinci bir kişinin onayı bekleniyor; henüz hiçbir şey gönderilmedi. Talebin süresi {at} tarihinde dolar."
    ),
    "Approved by {who}: sending the payout…": "{who} onayladı: ödeme gönderiliyor…",
    "Rejected by {who}; nothing was sent.": "{who} reddetti; hiçbir şey gönderilmedi.",
    "Nobody decided in time: the request expired and nothing was sent.": (
        "Kimse zamanında karar vermedi: talebin süresi doldu ve hiçbir şey gönderilmedi."
    ),
    "Note: {note}": "Not: {note}",
    "Request {id} · {state} · {at}": "Talep {id} · {state} · {at}",
    "Note (required to reject)": "Not (reddetmek için zorunlu)",
    "Approve": "Onayla",
    "Reject": "Reddet",
    "Waiting for approval": "Onay bekleyenler",
    "Requests waiting": "Bekleyen talepler",
    "Payouts in them": "İçerdikleri ödemeler",
    "Total amount": "Toplam tutar",
    "Nothing waits for approval.": "Onay bekleyen bir şey yok.",
    "My requests": "Taleplerim",
    "You have made no requests for approval.": "Henüz bir onay talebi oluşturmadınız.",
    "Rows": "Satırlar",
    "Decided by": "Karar veren",
    "Payout": "Ödeme",
    "Expires": "Süre sonu",
    "Request": "Talep",
    "Sign-in is off, so there is no second person: requests for approval wait until they expire. "
    "Four-eyes approval needs sign-in accounts.": (
        "Oturum açma kapalı, dolayısıyla ikinci bir kişi yok: onay talepleri süreleri dolana kadar bekler. "
        "Dört göz onayı için oturum açma hesapları gerekir."
    ),
    "Request {id} approved.": "Talep {id} onaylandı.",
    "Request {id} rejected; nothing of it is sent.": "Talep {id} reddedildi; hiçbir kısmı gönderilmez.",
    "Made by": "Oluşturan",
    "Requested": "Talep zamanı",
    "expires": "süre sonu",
    "A payout of {threshold} or more waits for a second person's approval: submitting asks for it, "
    "and nothing is sent until an approver agrees.": (
        "{threshold} veya üzerindeki bir ödeme ikinci bir kişinin onayını bekler: göndermek onay talebi "
        "oluşturur ve bir onaylayıcı kabul edene kadar hiçbir şey gönderilmez."
    ),
    "Request approval": "Onay iste",
    "**{kind}** · request {id}": "**{kind}** · talep {id}",
    "Same IBAN, amount and username as": "Aynı IBAN, tutar ve kullanıcı adıyla yapılan",
    "{state} by {who} {age}: {note}": "{state}: {who}, {age}: {note}",
    "You see the batches and every row of them; approve or reject them on the Approvals page.": (
        "Toplu ödemeleri ve her satırını görürsünüz; onaylamak ya da reddetmek için Onaylar sayfasını kullanın."
    ),
    # --- the console's database cannot be reached (dashboard/ui/outage.py) ---------------------------
    "The console's database cannot be reached right now.": "Konsolun veritabanına şu anda ulaşılamıyor.",
    "Nothing was changed. The console reconnects by itself when the database is back: try again in a minute.": (
        "Hiçbir şey değiştirilmedi. Veritabanı geri geldiğinde konsol kendiliğinden yeniden bağlanır: bir dakika "
        "sonra tekrar deneyin."
    ),
    "Your last action was not carried out: the console's database could not be reached. Nothing changed.": (
        "Son eyleminiz gerçekleştirilmedi: konsolun veritabanına ulaşılamadı. Hiçbir şey değişmedi."
    ),
    "Try again": "Tekrar dene",
    # --- notifications: alert e-mails and webhooks, the daily report (dashboard/notify) ------------------
    "Alert: {title}": "Uyarı: {title}",
    "Recovered: {title}": "Düzeldi: {title}",
    "Time: {at}": "Zaman: {at}",
    "Concerns: {subject}": "İlgili: {subject}",
    "mail server for alert and report e-mails; unset = no e-mail": (
        "uyarı ve rapor e-postaları için posta sunucusu; boş = e-posta yok"
    ),
    "mail server port; default 587 (starttls), 465 (ssl), 25 (plain)": (
        "posta sunucusu bağlantı noktası; varsayılan 587 (starttls), 465 (ssl), 25 (plain)"
    ),
    "starttls, ssl, or plain (a relay on this machine only)": "starttls, ssl ya da plain (yalnızca bu makinedeki bir aktarıcı)",
    "user name at the mail server; unset = no sign-in": "posta sunucusundaki kullanıcı adı; boş = oturum açılmaz",
    "password at the mail server": "posta sunucusundaki parola",
    "sender address of notification e-mails": "bildirim e-postalarının gönderen adresi",
    "comma-separated addresses receiving notification e-mails": "bildirim e-postalarını alan, virgülle ayrılmış adresler",
    "URL receiving each notification as a JSON POST; unset = no webhook": (
        "her bildirimi JSON POST olarak alan URL; boş = webhook yok"
    ),
    "key signing webhook bodies (HMAC-SHA256 header); unset = unsigned": (
        "webhook gövdelerini imzalayan anahtar (HMAC-SHA256 başlığı); boş = imzasız"
    ),
    "seconds an e-mail or webhook delivery may take": "bir e-posta ya da webhook gönderiminin sürebileceği saniye",
    "local time HH:MM of the daily report e-mail; unset = no report": (
        "günlük rapor e-postasının yerel saati SS:DD; boş = rapor yok"
    ),
    "language of notifications and the daily report, en or tr": "bildirimlerin ve günlük raporun dili, en ya da tr",
    "Daily report {day}": "Günlük rapor {day}",
    "Volume of {day} (completed transactions)": "{day} hacmi (tamamlanan işlemler)",
    "Deposits: {count}, {amount}": "Yatırımlar: {count}, {amount}",
    "Withdrawals: {count}, {amount}": "Çekimler: {count}, {amount}",
    "Commission: {amount}": "Komisyon: {amount}",
    "Not completed: {count}": "Tamamlanmayan: {count}",
    "Balances now": "Şu anki bakiyeler",
    "Total: {amount}": "Toplam: {amount}",
    "Open alerts ({count})": "Açık uyarılar ({count})",
    "Payouts with unknown outcome ({count})": "Sonucu bilinmeyen ödemeler ({count})",
    "None.": "Yok.",
    "Could not be read; see the console.": "Okunamadı; konsola bakın.",
    "Notifications": "Bildirimler",
    "configured": "ayarlı",
    "not configured": "ayarlı değil",
    "off": "kapalı",
    "E-mail: {email} · Webhook: {webhook} · Daily report: {report}. Sent so far: {sent}.": (
        "E-posta: {email} · Webhook: {webhook} · Günlük rapor: {report}. Şimdiye kadar gönderilen: {sent}."
    ),
    "No notification is failing.": "Başarısız olan bildirim yok.",
    "{n} notification deliveries are failing or gave up.": "{n} bildirim gönderimi başarısız oluyor ya da bırakıldı.",
    "E-mail": "E-posta",
    "Webhook": "Webhook",
    "retrying": "yeniden deneniyor",
    "gave up": "bırakıldı",
    "sent": "gönderildi",
    "Message": "İleti",
    "Channel": "Kanal",
    "Attempts": "Deneme",
    "Next attempt": "Sonraki deneme",
    "Last error": "Son hata",
    # --- reconciliation (pages/reconciliation.py, dashboard/reconciliation/) -------------------------
    "Reconciliation": "Mutabakat",
    "Month": "Ay",
    "Day": "Gün",
    "Opening": "Açılış",
    "Fees": "Ücretler",
    "Closing (computed)": "Kapanış (hesaplanan)",
    "Provider balance": "Sağlayıcı bakiyesi",
    "Difference": "Fark",
    "Result": "Sonuç",
    "reconciled": "mutabık",
    "difference": "fark var",
    "not reconciled": "karşılaştırılamadı",
    "Days with a difference": "Farklı günler",
    "Days not reconciled": "Karşılaştırılamayan günler",
    "Per IBAN and day": "IBAN ve gün bazında",
    "Totals": "Toplamlar",
    "Transactions of a day": "Bir günün işlemleri",
    "Choose a day": "Bir gün seçin",
    "No money moved on this day.": "Bu gün para hareketi olmadı.",
    "Effect on balance": "Bakiyeye etkisi",
    "{iban} on {day}: the provider's balance differs by {amount}.": (
        "{iban}, {day}: sağlayıcının bakiyesi {amount} farklı."
    ),
    "Opening: the provider's last balance before the day (a stored snapshot or today's balance), moved to "
    "midnight by the completed transactions in between; without one it is reconstructed from today's balance. "
    "A day is compared only when the provider reported a balance after its opening: otherwise it is not "
    "reconciled, never a difference.": (
        "Açılış: sağlayıcının günden önceki son bakiyesi (kayıtlı bir anlık görüntü ya da bugünkü bakiye), aradaki "
        "tamamlanmış işlemlerle gece yarısına taşınır; yoksa bugünkü bakiyeden geriye doğru hesaplanır. Bir gün "
        "yalnızca sağlayıcı açılıştan sonra bir bakiye bildirdiyse karşılaştırılır: aksi halde karşılaştırılamadı "
        "olarak gösterilir, asla fark olarak değil."
    ),
    "Fees are 0: the transaction records carry one deduction, the commission, and no separate fee. "
    "Any fee the provider charges is inside the commission.": (
        "Ücretler 0: işlem kayıtlarında tek bir kesinti, komisyon bulunur; ayrı bir ücret yoktur. Sağlayıcının "
        "aldığı her ücret komisyonun içindedir."
    ),
    "not measured": "ölçülmedi",
    "“Not measured”: the provider reported no balance on that day to compare with (and without any "
    "balance, no opening either); the export leaves those cells empty.": (
        "“Ölçülmedi”: sağlayıcı o gün karşılaştırılacak bir bakiye bildirmedi (hiç bakiye yoksa açılış da "
        "yoktur); dışa aktarılan dosyada bu hücreler boş bırakılır."
    ),
    "Sandbox: drift a balance": "Sandbox: bir bakiyeyi kaydır",
    "Moves the sandbox's reported balance with no transaction behind it, to see a difference.": (
        "Sandbox'ın bildirdiği bakiyeyi arkasında bir işlem olmadan değiştirir; böylece bir fark görülür."
    ),
    "Amount (₺, may be negative)": "Tutar (₺, eksi olabilir)",
    "Drift the balance": "Bakiyeyi kaydır",
    "The balance was not drifted: {reason}": "Bakiye kaydırılmadı: {reason}",
    # --- Alerts (dashboard/alerts, pages/alerts.py) -----------------------------------------------------
    "Balance below threshold": "Bakiye eşiğin altında",
    "Balance below threshold: {iban}": "Bakiye eşiğin altında: {iban}",
    "Balance {balance_kurus}, threshold {threshold_kurus}; recovers above {recover_above_kurus}.": (
        "Bakiye {balance_kurus}, eşik {threshold_kurus}; {recover_above_kurus} üzerine çıkınca düzelir."
    ),
    "Payout outcome unknown": "Ödemenin sonucu bilinmiyor",
    "Payout outcome unknown: {operation_id}": "Ödemenin sonucu bilinmiyor: {operation_id}",
    "{amount_kurus} to {username}, sent {minutes} minutes ago; its outcome is still unknown.": (
        "{username} kullanıcısına {amount_kurus}, {minutes} dakika önce gönderildi; sonucu hâlâ bilinmiyor."
    ),
    "Approval waiting": "Onay bekliyor",
    "Approval waiting: {request_id}": "Onay bekliyor: {request_id}",
    "{amount_kurus} requested by {maker} {minutes} minutes ago, still waiting for a second person.": (
        "{maker} tarafından {minutes} dakika önce istenen {amount_kurus} hâlâ ikinci bir kişiyi bekliyor."
    ),
    "Callbacks failing verification": "Doğrulanamayan geri bildirimler",
    "{count} callbacks did not verify against the API in the last {minutes} minutes.": (
        "Son {minutes} dakikada {count} geri bildirim API ile doğrulanamadı."
    ),
    "API unreachable": "API'ye ulaşılamıyor",
    "The EnigmaPay API is unreachable or refusing": "EnigmaPay API'sine ulaşılamıyor ya da istekleri reddediyor",
    "Background calls have failed for {minutes} minutes (last error: {error}).": (
        "Arka plan çağrıları {minutes} dakikadır başarısız (son hata: {error})."
    ),
    "Reconciliation difference": "Mutabakat farkı",
    "Reconciliation difference: {iban}": "Mutabakat farkı: {iban}",
    "{days} days do not reconcile, differences totalling {difference_kurus}.": (
        "{days} gün tutmuyor, farkların toplamı {difference_kurus}."
    ),
    "Recovered. It was: {detail}": "Düzeldi. Durum şuydu: {detail}",
    "alert_acknowledge": "uyarıyı görüldü olarak işaretleme",
    "alert_threshold": "uyarı eşiği değişikliği",
    "minutes a payout's outcome may stay unknown before an alert fires": (
        "bir ödemenin sonucu bu kadar dakika bilinmezse uyarı verilir"
    ),
    "minutes a request may wait for approval before an alert fires": (
        "bir onay talebi bu kadar dakika beklerse uyarı verilir"
    ),
    "minutes the API may fail or refuse before an alert fires": (
        "API bu kadar dakika başarısız olur ya da reddederse uyarı verilir"
    ),
    "minutes a callback that failed verification keeps its alert firing": (
        "doğrulanamayan bir geri bildirimin uyarısı bu kadar dakika sürer"
    ),
    "a low-balance alert recovers only above its threshold plus this amount (unless the IBAN sets its own)": (
        "düşük bakiye uyarısı ancak eşik artı bu tutarın üzerine çıkınca düzelir (IBAN kendi payını belirlemediyse)"
    ),
    "Alerts": "Uyarılar",
    "Evaluated about every 45 seconds by one console of the fleet. An alert is sent once when it fires "
    "and once when it recovers.": (
        "Konsollardan biri tarafından yaklaşık 45 saniyede bir değerlendirilir. Bir uyarı tetiklendiğinde bir kez, "
        "düzeldiğinde bir kez gönderilir."
    ),
    "Firing since {at} ({age})": "{at} tarihinden beri etkin ({age})",
    "Acknowledged by **{who}** at {at}": "**{who}** tarafından {at} tarihinde görüldü",
    "Acknowledge": "Görüldü",
    "Firing now": "Şu anda etkin",
    "That alert recovered, fired again or was acknowledged meanwhile; nothing changed.": (
        "Bu uyarı bu arada düzeldi, yeniden tetiklendi ya da görüldü olarak işaretlendi; hiçbir şey değişmedi."
    ),
    "No alert is firing.": "Etkin uyarı yok.",
    "History": "Geçmiş",
    "No alert has fired yet.": "Henüz hiç uyarı tetiklenmedi.",
    "When": "Ne zaman",
    "Condition": "Koşul",
    "Alert": "Uyarı",
    "Fired": "Tetiklendi",
    "Recovered": "Düzeldi",
    "Balance": "Bakiye",
    "Threshold": "Eşik",
    "Margin": "Pay",
    "{amount} (configured)": "{amount} (yapılandırılmış)",
    "Threshold saved.": "Eşik kaydedildi.",
    "Threshold removed.": "Eşik kaldırıldı.",
    "Alert below (₺)": "Şunun altında uyar (₺)",
    "Recover above threshold plus (₺)": "Eşik artı şu tutarın üzerinde düzelir (₺)",
    "blank: the configured margin": "boş: yapılandırılmış pay",
    "Save threshold": "Eşiği kaydet",
    "Remove threshold": "Eşiği kaldır",
    "Balance thresholds": "Bakiye eşikleri",
    "An IBAN's alert fires when its balance is below the threshold and recovers only above the threshold "
    "plus the margin, so a balance hovering at the threshold does not fire again and again.": (
        "Bir IBAN'ın uyarısı bakiyesi eşiğin altına indiğinde tetiklenir ve ancak eşik artı payın üzerine "
        "çıkınca düzelir; böylece eşik çevresinde gidip gelen bir bakiye tekrar tekrar uyarı vermez."
    ),
    "Only an administrator changes the thresholds.": "Eşikleri yalnızca bir yönetici değiştirir.",
    "Alerts firing: {n}": "Etkin uyarılar: {n}",
    "No alerts firing": "Etkin uyarı yok",
    "The threshold must be an amount greater than zero.": "Eşik sıfırdan büyük bir tutar olmalıdır.",
    "The margin must be an amount of zero or more.": "Pay sıfır ya da daha büyük bir tutar olmalıdır.",
    # --- Statements (issue 15) ---
    "Statements": "Ekstreler",
    "Statement": "Ekstre",
    "Account statement": "Hesap ekstresi",
    "Dealer": "Bayi",
    "Time zone": "Saat dilimi",
    "Opening balance": "Açılış bakiyesi",
    "Closing balance": "Kapanış bakiyesi",
    "Generated": "Oluşturulma",
    "not known": "bilinmiyor",
    "recorded": "kayıtlı",
    "reconstructed": "hesaplanan",
    "All IBANs ({n})": "Tüm IBAN'lar ({n})",
    "Page {n} / {m}": "Sayfa {n} / {m}",
    "ID": "No",
    "Customer": "Müşteri",
    "No transactions in this period.": "Bu dönemde işlem yok.",
    "Date range": "Tarih aralığı",
    "Language of the statement": "Ekstrenin dili",
    "Build statement": "Ekstre oluştur",
    "Download PDF": "PDF indir",
    "First page of the PDF": "PDF'in ilk sayfası",
    "Writing the PDF: {done} of {total} rows": "PDF yazılıyor: {total} satırdan {done} tanesi",
    "Writing the Excel file: {done} of {total} rows": "Excel dosyası yazılıyor: {total} satırdan {done} tanesi",
    "The statement was not built: the history could not be read in full.": (
        "Ekstre oluşturulmadı: işlem geçmişi tam olarak okunamadı."
    ),
    "Statement for {iban}, {period}: {rows} transactions, {pages} PDF pages.": (
        "{iban} için ekstre, {period}: {rows} işlem, {pages} PDF sayfası."
    ),
    "the dealer's name on statements": "ekstrelerde yazan bayi adı",
    "This statement would have {rows} transactions; one holds at most {most}. Choose a shorter period or fewer IBANs.": (
        "Bu ekstrede {rows} işlem olurdu; bir ekstre en çok {most} işlem alır. Daha kısa bir dönem ya da daha az IBAN seçin."
    ),
    # --- all-time search, the customer view, the history mirror (issue 13) ----------------------------
    "Search all time": "Tüm zamanlarda ara",
    "Search all time for this": "Bunu tüm zamanlarda ara",
    "id, username, customer, IBAN": "no, kullanıcı adı, müşteri, IBAN",
    "name, IBAN, id or amount: ayşe 1500": "ad, IBAN, no veya tutar: ayşe 1500",
    "Every IBAN, every synced day. Each word must match: transaction id (or its first digits), username, "
    "customer name, IBAN (any spacing), description or amount (1500, 1.500,50).": (
        "Her IBAN, eşitlenmiş her gün. Her kelime eşleşmeli: işlem numarası (ya da ilk rakamları), kullanıcı adı, "
        "müşteri adı, IBAN (boşluklu ya da boşluksuz), açıklama veya tutar (1500, 1.500,50)."
    ),
    "Nothing found for {query}.": "{query} için bir şey bulunamadı.",
    "{n} transactions found.": "{n} işlem bulundu.",
    "{n} transactions found; the newest {shown} are shown.": "{n} işlem bulundu; en yeni {shown} tanesi gösteriliyor.",
    "Customers": "Müşteriler",
    "Type a username, or open a customer from a search.": "Bir kullanıcı adı yazın ya da bir aramadan müşteri açın.",
    "No transactions of {user} are known.": "{user} için bilinen bir işlem yok.",
    "Deposited": "Yatırılan",
    "Withdrawn": "Çekilen",
    "Open": "Açık",
    "{n} completed": "{n} tamamlandı",
    "{n} not final yet": "{n} henüz kesinleşmedi",
    "Where it is": "Nerede",
    "No withdrawals.": "Çekim yok.",
    "Statuses": "Durumlar",
    "Count": "Adet",
    "Amount (TRY)": "Tutar (TL)",
    "Transaction": "İşlem",
    "Payouts and card payments from this console": "Bu konsoldan yapılan ödemeler ve kartlı ödemeler",
    "No longer reported by EnigmaPay": "EnigmaPay artık bildirmiyor",
    "History mirror": "İşlem geçmişi kopyası",
    "Last synced": "Son eşitleme",
    "Rows held": "Tutulan satır",
    "No longer reported": "Artık bildirilmeyen",
    "From": "Başlangıç",
    "To": "Bitiş",
    "Searches cover every synced day of every IBAN; a row EnigmaPay no longer reports is kept, marked.": (
        "Aramalar her IBAN'ın eşitlenmiş her gününü kapsar; EnigmaPay'in artık bildirmediği bir satır silinmez, "
        "işaretlenir."
    ),
    "Nothing synced yet: a period is kept here once it has been viewed.": (
        "Henüz eşitlenen bir şey yok: bir dönem görüntülendiğinde burada tutulur."
    ),
    "{iban}: the last write to the mirror failed at {at}; the days {first} to {last} will be fetched again.": (
        "{iban}: geçmiş kopyasına son yazma {at} tarihinde başarısız oldu; {first} ile {last} arasındaki günler yeniden "
        "alınacak."
    ),
    "Paid out: completed at EnigmaPay.": "Ödendi: EnigmaPay'de tamamlandı.",
    "In progress at EnigmaPay: not final yet.": "EnigmaPay'de işleniyor: henüz kesinleşmedi.",
    "Not paid: EnigmaPay reports it {status}.": "Ödenmedi: EnigmaPay'in bildirdiği durum {status}.",
    "Outcome unknown: the console sent it but got no answer; it is checking with EnigmaPay. Do not send it again.": (
        "Sonuç bilinmiyor: konsol gönderdi ama yanıt alamadı; EnigmaPay ile kontrol ediyor. Tekrar göndermeyin."
    ),
    "Outcome unknown and no longer checked automatically: a person must check with EnigmaPay before anything is "
    "sent again.": (
        "Sonuç bilinmiyor ve artık kendiliğinden kontrol edilmiyor: yeniden bir şey gönderilmeden önce bir kişi "
        "EnigmaPay ile kontrol etmeli."
    ),
    "Sent moments ago; waiting for EnigmaPay's answer.": "Az önce gönderildi; EnigmaPay'in yanıtı bekleniyor.",
    "Not sent: nothing left the console ({state}).": "Gönderilmedi: konsoldan hiçbir şey çıkmadı ({state}).",
    "Held: waiting for a second person's approval or a repeat's confirmation; not sent yet.": (
        "Bekletiliyor: ikinci bir kişinin onayı ya da tekrarın teyidi bekleniyor; henüz gönderilmedi."
    ),
    "EnigmaPay no longer reports this transaction; last known status {status}.": (
        "EnigmaPay bu işlemi artık bildirmiyor; bilinen son durum {status}."
    ),
}
