"""The words of the benchmark corpus: topics, phrases, names and customer domains.

Kept apart from corpus.py so the generator's logic stays short and the text can grow
without touching it. Danish text sticks to Latin-1 characters because a share of the
corpus is sent as iso-8859-1, the way older Outlook installations still send it.
Placeholders in braces ({floor}, {pc}, ...) are filled per mail by corpus.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """One kind of support problem, in one language."""

    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    tried: tuple[str, ...]


# Danish subjects all carry at least one of æ, ø, å, so a decoded subject shows
# whether RFC 2047 handling kept the letters.
TOPICS_DA: tuple[Topic, ...] = (
    Topic(
        subjects=(
            "Printer på {floor}. sal virker ikke",
            "Kan ikke printe fra min bærbare",
            "Printeren melder papirstop, men der sidder ikke noget papir fast i skuffen på den",
            "Udskrifter kommer ikke ud på {printer}",
            "Scanning til mail virker ikke på kopimaskinen",
        ),
        problems=(
            "Når jeg trykker udskriv, sker der ingenting.",
            "Printeren står bare og blinker orange.",
            "Jobbet ligger i køen, men der kommer ikke noget ud.",
            "Det har virket fint indtil i går eftermiddags.",
            "Mine kolleger på samme etage har det samme problem.",
            "Der står 'Fejl - udskrivning' ud for dokumentet i printerkøen.",
            "Den printer kun tomme sider ud.",
            "Jeg skal bruge den til at printe kontrakter til et møde kl. {time}.",
        ),
        details=(
            "Printer: {printer}",
            "Placering: {floor}. sal, lokale {room}",
            "PC-navn: {pc}",
            "Fejlkode på displayet: {code}",
        ),
        tried=(
            "Slukket og tændt for printeren",
            "Genstartet min computer",
            "Fjernet printeren og tilføjet den igen",
            "Tjekket at der er papir og toner",
        ),
    ),
    Topic(
        subjects=(
            "Har glemt min adgangskode - kan ikke logge på",
            "Min konto er låst",
            "Adgangskoden er udløbet og jeg kan ikke skifte den",
            "Kan ikke logge på efter ferien",
        ),
        problems=(
            "Jeg har tastet forkert adgangskode for mange gange, og nu er kontoen spærret.",
            "Jeg fik en besked om at min adgangskode udløb, og nu kan jeg ikke komme ind.",
            "Når jeg prøver at nulstille den via selvbetjeningen, får jeg en fejl.",
            "Jeg kan heller ikke komme på min mail på telefonen.",
            "Det er første dag efter min barsel, så den er nok bare udløbet.",
            "Jeg har ikke adgang til noget som helst, så jeg kan ikke arbejde.",
        ),
        details=(
            "Brugernavn: {user}",
            "Jeg kan kontaktes på {phone}",
            "Fejlbesked: 'Din konto er blevet låst. Kontakt din administrator.'",
        ),
        tried=(
            "Prøvet 'Glemt adgangskode' på login-siden",
            "Prøvet fra en anden computer",
            "Ventet en halv time og prøvet igen",
        ),
    ),
    Topic(
        subjects=(
            "Outlook åbner ikke",
            "Outlook beder hele tiden om adgangskode igen og igen på pc'en",
            "Mails bliver hængende i udbakken",
            "Min postkasse er fuld - kan ikke sende mails før den er tømt",
            "Kalenderen på telefonen synkroniserer ikke",
            "Fælles postkasse er forsvundet fra Outlook",
        ),
        problems=(
            "Outlook hænger på 'Indlæser profil' og kommer aldrig videre.",
            "Jeg bliver bedt om at logge ind igen hvert femte minut.",
            "Mails jeg sender, bliver liggende i udbakken.",
            "Jeg har fået en besked om at min postkasse næsten er fuld.",
            "Siden opdateringen i går kan jeg ikke se den fælles postkasse for bogholderiet.",
            "Der kommer ingen nye mails ind, men på telefonen kan jeg godt se dem.",
            "Søgningen i Outlook finder ingenting, heller ikke mails fra i dag.",
        ),
        details=(
            "Fejlkode: {code}",
            "Outlook-version: Microsoft 365, version 2410",
            "PC-navn: {pc}",
        ),
        tried=(
            "Genstartet Outlook og computeren",
            "Startet Outlook i fejlsikret tilstand",
            "Prøvet Outlook på nettet, hvor det virker fint",
        ),
    ),
    Topic(
        subjects=(
            "OneDrive synkroniserer ikke længere",
            "Filer er forsvundet fra OneDrive - kan de gendannes fra sidste måned?",
            "Kan ikke åbne delt mappe i OneDrive",
            "Rødt kryds på OneDrive-ikonet",
        ),
        problems=(
            "Der står 'Synkronisering afventer' på alle mine filer.",
            "En hel mappe med tilbud er væk fra min OneDrive.",
            "Jeg har slettet nogle filer ved en fejl. Kan de gendannes?",
            "En kollega har delt en mappe med mig, men jeg får 'Adgang nægtet'.",
            "OneDrive siger at der ikke er mere plads.",
            "Jeg er bange for at miste arbejdet fra hele ugen.",
        ),
        details=(
            "Mappe: Dokumenter\\Tilbud\\2024",
            "Antal filer: ca. {count}",
            "PC-navn: {pc}",
        ),
        tried=(
            "Logget ud af OneDrive og ind igen",
            "Sat synkroniseringen på pause og startet den igen",
            "Kigget i papirkurven på nettet",
        ),
    ),
    Topic(
        subjects=(
            "VPN forbinder ikke hjemmefra på min bærbare",
            "Kan ikke få adgang til fællesdrevet over VPN",
            "VPN afbryder hele tiden - umuligt at arbejde hjemme på den måde",
            "Fejl ved opkobling til VPN på ny bærbar",
        ),
        problems=(
            "Når jeg forbinder til VPN, står den bare og tænker og giver så op.",
            "Forbindelsen afbrydes hvert kvarter, og så mister jeg det, jeg laver i "
            "økonomisystemet.",
            "Jeg arbejder hjemme i dag og kan ikke komme på S-drevet.",
            "Det virkede i sidste uge, inden jeg fik ny router.",
            "Der kommer en fejl om at certifikatet ikke er gyldigt.",
        ),
        details=(
            "Fejlkode: {code}",
            "Internetudbyder: {isp}",
            "Klient: FortiClient 7.2",
            "PC-navn: {pc}",
        ),
        tried=(
            "Genstartet routeren",
            "Prøvet via hotspot fra min telefon",
            "Geninstalleret VPN-klienten",
        ),
    ),
    Topic(
        subjects=(
            "Intet internet på kontoret",
            "Netværket er nede på {floor}. sal",
            "Meget langsomt internet i dag - næsten umuligt at arbejde",
            "Trådløst net forbinder, men intet internet",
        ),
        problems=(
            "Ingen af os på {floor}. sal har haft internet siden kl. {time}.",
            "Computeren siger 'Ingen internetadgang', selvom den er på det trådløse net.",
            "Sider tager flere minutter om at åbne.",
            "Kablet netværk virker heller ikke.",
            "Vi kan heller ikke ringe ud, da telefonerne kører over nettet.",
            "Kassesystemet i butikken er også gået ned, så det haster.",
        ),
        details=(
            "Lokation: {site}",
            "Berørte: ca. {count} medarbejdere",
            "Netværk: OO-Kontor",
        ),
        tried=(
            "Genstartet switchen i serverrummet",
            "Slukket og tændt for Wi-Fi på computeren",
            "Prøvet med netværkskabel",
        ),
    ),
    Topic(
        subjects=(
            "Teams-møder: de andre kan ikke høre mig",
            "Kan ikke dele skærm i Teams",
            "Teams starter ikke efter opdatering i går",
            "Får ikke adgang til projektets team",
        ),
        problems=(
            "Mikrofonen virker i alle andre programmer, men ikke i Teams.",
            "Når jeg trykker 'Del', bliver skærmen bare sort for de andre.",
            "Teams viser et hvidt vindue og lukker så ned.",
            "Jeg er blevet tilføjet af {colleague}, men jeg kan ikke se kanalen.",
            "Jeg har et vigtigt kundemøde kl. {time}, så det ville være godt at få løst før.",
        ),
        details=(
            "Headset: Jabra Evolve2 65",
            "PC-navn: {pc}",
            "Fejlkode: {code}",
        ),
        tried=(
            "Ryddet Teams' cache",
            "Valgt headsettet under Enheder i Teams",
            "Prøvet Teams i browseren",
        ),
    ),
    Topic(
        subjects=(
            "Ny medarbejder starter på mandag",
            "Oprettelse af bruger til ny kollega på lageret",
            "Fratrædelse - luk adgange for {colleague}",
            "Ny bærbar til elev",
        ),
        problems=(
            "Vi har en ny medarbejder, {colleague}, der starter på mandag.",
            "Hun skal have bærbar, mail og adgang til økonomisystemet.",
            "Han skal have de samme rettigheder som mig, og adgang til fællesdrevet.",
            "{colleague} stopper hos os på fredag, så adgangene skal lukkes fra lørdag.",
            "Mails til {colleague} skal videresendes til mig de næste tre måneder.",
        ),
        details=(
            "Startdato: mandag",
            "Afdeling: {site}",
            "Telefon: {phone}",
        ),
        tried=(),
    ),
    Topic(
        subjects=(
            "Skærmen er sort, når jeg sætter bærbaren i dockingstationen",
            "Tastaturet på bærbaren virker ikke",
            "Bærbar vil ikke starte",
            "Ekstern skærm bliver ikke fundet - kan I hjælpe?",
        ),
        problems=(
            "Når jeg sætter bærbaren i docken, bliver begge skærme sorte.",
            "Nogle af tasterne virker ikke, blandt andet æ, ø og å.",
            "Den lyser kort op, når jeg trykker på tænd-knappen, og så sker der ingenting.",
            "Den eksterne skærm skriver 'Intet signal'.",
            "Jeg har spildt lidt kaffe på den i morges, men den virkede bagefter.",
        ),
        details=(
            "PC-navn: {pc}",
            "Model: Lenovo ThinkPad T14 Gen 3",
            "Placering: {floor}. sal, lokale {room}",
        ),
        tried=(
            "Prøvet et andet kabel",
            "Holdt tænd-knappen inde i 30 sekunder",
            "Sat strøm direkte i bærbaren",
        ),
    ),
    Topic(
        subjects=(
            "Ny telefon - kan ikke godkende login på pc'en",
            "Får ikke sms-kode til login",
            "Authenticator-appen er væk efter telefonskift",
        ),
        problems=(
            "Jeg har fået ny telefon, og nu beder den om godkendelse i appen, som jeg ikke "
            "har mere.",
            "Sms'en med koden kommer aldrig frem.",
            "Jeg kan ikke komme ind på noget, før det her er løst.",
            "Mit nummer er stadig det samme: {phone}.",
        ),
        details=(
            "Telefon: iPhone 15",
            "Brugernavn: {user}",
        ),
        tried=(
            "Genstartet telefonen",
            "Geninstalleret Microsoft Authenticator",
        ),
    ),
    Topic(
        subjects=(
            "Computeren er blevet meget langsom efter opdateringen i sidste uge - kan I hjælpe?",
            "Opdateringer hænger på {count}%",
            "Blå skærm flere gange i dag",
        ),
        problems=(
            "Det tager over ti minutter at starte computeren.",
            "Opdateringen har stået på det samme tal siden i går.",
            "Den er gået ned med en blå skærm tre gange i dag.",
            "Blæseren kører hele tiden, også når jeg ikke laver noget.",
            "Jeg mister det, jeg arbejder på, hver gang den går ned.",
        ),
        details=(
            "PC-navn: {pc}",
            "Fejlkode på den blå skærm: {code}",
        ),
        tried=(
            "Genstartet flere gange",
            "Lukket alle programmer",
            "Ladet den stå natten over",
        ),
    ),
    Topic(
        subjects=(
            "Mistænkelig mail - har jeg klikket på noget forkert?",
            "Er denne mail ægte?",
            "Har modtaget mærkelig faktura på mail",
        ),
        problems=(
            "Jeg har fået en mail fra 'Microsoft', om at min adgangskode udløber i dag.",
            "Jeg kom til at klikke på linket og skrev min adgangskode.",
            "Afsenderen ligner en af vores leverandører, men adressen ser forkert ud.",
            "Mailen beder os betale en faktura på {count}.000 kr. til en ny konto.",
        ),
        details=(
            "Modtaget kl. {time}",
            "Afsender: noreply@micros0ft-support.com",
        ),
        tried=(
            "Slettet mailen",
            "Skiftet min adgangskode",
        ),
    ),
    Topic(
        subjects=(
            "Installation af Adobe Acrobat på min pc",
            "Licens til Office er udløbet",
            "Excel-filer åbner skrivebeskyttet",
        ),
        problems=(
            "Jeg skal bruge Acrobat til at redigere PDF'er fra kunderne.",
            "Word og Excel siger, at produktet ikke er aktiveret.",
            "Når jeg åbner vores budget, står der 'Skrivebeskyttet', og jeg kan ikke gemme.",
            "Min chef har godkendt, at jeg må få programmet.",
        ),
        details=(
            "PC-navn: {pc}",
            "Fil: G:\\Økonomi\\Budget 2025.xlsx",
        ),
        tried=(
            "Logget ud af Office og ind igen",
            "Genstartet computeren",
        ),
    ),
)

TOPICS_EN: tuple[Topic, ...] = (
    Topic(
        subjects=(
            "Printer on floor {floor} not working",
            "Can't print from my laptop",
            "Printer says paper jam but there is no paper stuck",
            "Print jobs stuck on {printer}",
        ),
        problems=(
            "When I press print nothing happens.",
            "The printer just sits there blinking orange.",
            "The job shows in the queue but nothing comes out.",
            "It was working fine until yesterday afternoon.",
            "My colleagues on the same floor have the same problem.",
            "It only prints blank pages.",
            "I need it to print contracts for a meeting at {time}.",
        ),
        details=(
            "Printer: {printer}",
            "Location: floor {floor}, room {room}",
            "PC name: {pc}",
            "Error code on the display: {code}",
        ),
        tried=(
            "Turned the printer off and on again",
            "Restarted my computer",
            "Removed and re-added the printer",
            "Checked paper and toner",
        ),
    ),
    Topic(
        subjects=(
            "Forgot my password",
            "My account is locked",
            "Password expired and I can't change it",
        ),
        problems=(
            "I typed the wrong password too many times and now my account is locked.",
            "I got a message that my password expired and now I can't log in.",
            "The self-service reset page gives me an error.",
            "I can't get my email on my phone either.",
            "I can't do any work until this is sorted.",
        ),
        details=(
            "Username: {user}",
            "You can reach me on {phone}",
            "Error: 'Your account has been locked. Contact your administrator.'",
        ),
        tried=(
            "Tried 'Forgot password' on the login page",
            "Tried from another computer",
            "Waited half an hour and tried again",
        ),
    ),
    Topic(
        subjects=(
            "Outlook won't open",
            "Outlook keeps asking for my password",
            "Emails stuck in the outbox",
            "Mailbox full - can't send emails",
            "Shared mailbox disappeared from Outlook",
        ),
        problems=(
            "Outlook hangs on 'Loading profile' and never gets any further.",
            "I get asked to sign in again every five minutes.",
            "Emails I send just stay in the outbox.",
            "I got a warning that my mailbox is almost full.",
            "Since yesterday's update I can't see the accounts shared mailbox.",
            "No new mail comes in, but I can see it on my phone.",
        ),
        details=(
            "Error code: {code}",
            "Outlook version: Microsoft 365, version 2410",
            "PC name: {pc}",
        ),
        tried=(
            "Restarted Outlook and the computer",
            "Started Outlook in safe mode",
            "Tried Outlook on the web, which works fine",
        ),
    ),
    Topic(
        subjects=(
            "OneDrive not syncing",
            "Files missing from OneDrive",
            "Can't open shared folder in OneDrive",
        ),
        problems=(
            "All my files say 'Sync pending'.",
            "A whole folder of quotes has gone from my OneDrive.",
            "I deleted some files by mistake. Can they be restored?",
            "A colleague shared a folder with me but I get 'Access denied'.",
            "OneDrive says I am out of storage.",
        ),
        details=(
            "Folder: Documents\\Quotes\\2024",
            "Number of files: about {count}",
            "PC name: {pc}",
        ),
        tried=(
            "Signed out of OneDrive and back in",
            "Paused and resumed syncing",
            "Checked the recycle bin online",
        ),
    ),
    Topic(
        subjects=(
            "VPN won't connect from home",
            "No access to the shared drive over VPN",
            "VPN keeps dropping",
        ),
        problems=(
            "When I connect to the VPN it just spins and then gives up.",
            "The connection drops every fifteen minutes and I lose my work in the finance system.",
            "I'm working from home today and can't get to the S: drive.",
            "It worked last week, before I got a new router.",
            "I get an error saying the certificate is not valid.",
        ),
        details=(
            "Error code: {code}",
            "Internet provider: {isp}",
            "Client: FortiClient 7.2",
        ),
        tried=(
            "Restarted the router",
            "Tried via the hotspot on my phone",
            "Reinstalled the VPN client",
        ),
    ),
    Topic(
        subjects=(
            "No internet in the office",
            "Network down on floor {floor}",
            "Internet very slow today",
            "Wi-Fi connected but no internet",
        ),
        problems=(
            "Nobody on floor {floor} has had internet since {time}.",
            "My laptop says 'No internet access' even though it is on the Wi-Fi.",
            "Pages take minutes to load.",
            "The wired network is down too.",
            "We can't make calls either because the phones run over the network.",
            "The tills in the shop are down too, so this is urgent.",
        ),
        details=(
            "Site: {site}",
            "Affected: about {count} staff",
        ),
        tried=(
            "Restarted the switch in the comms room",
            "Turned Wi-Fi off and on",
            "Tried a network cable",
        ),
    ),
    Topic(
        subjects=(
            "Teams meetings: people can't hear me",
            "Can't share my screen in Teams",
            "Teams won't start after update",
        ),
        problems=(
            "My microphone works in every other app but not in Teams.",
            "When I click Share the others just see a black screen.",
            "Teams shows a white window and then closes.",
            "I have an important client call at {time} so it would be great to fix before then.",
        ),
        details=(
            "Headset: Jabra Evolve2 65",
            "PC name: {pc}",
        ),
        tried=(
            "Cleared the Teams cache",
            "Selected the headset under Devices in Teams",
            "Tried Teams in the browser",
        ),
    ),
    Topic(
        subjects=(
            "New starter on Monday",
            "Please set up an account for a new colleague",
            "Leaver - please disable access for {colleague}",
        ),
        problems=(
            "We have a new starter, {colleague}, joining on Monday.",
            "She needs a laptop, email and access to the finance system.",
            "He needs the same permissions as me and access to the shared drive.",
            "{colleague} leaves on Friday so access should be removed from Saturday.",
            "Please forward {colleague}'s email to me for the next three months.",
        ),
        details=(
            "Start date: Monday",
            "Department: {site}",
            "Phone: {phone}",
        ),
        tried=(),
    ),
    Topic(
        subjects=(
            "Screens go black when I dock my laptop",
            "Laptop won't turn on",
            "External monitor not detected",
        ),
        problems=(
            "When I put the laptop in the dock both screens go black.",
            "It lights up briefly when I press the power button and then nothing.",
            "The external monitor just says 'No signal'.",
            "I spilled a little coffee on it this morning but it worked afterwards.",
        ),
        details=(
            "PC name: {pc}",
            "Model: Dell Latitude 5440",
        ),
        tried=(
            "Tried another cable",
            "Held the power button for 30 seconds",
            "Plugged the charger straight into the laptop",
        ),
    ),
    Topic(
        subjects=(
            "New phone - can't approve sign-in",
            "Not receiving the SMS code",
        ),
        problems=(
            "I have a new phone and it wants me to approve in the app, which I no longer have.",
            "The text message with the code never arrives.",
            "My number is still the same: {phone}.",
        ),
        details=(
            "Phone: Samsung Galaxy S24",
            "Username: {user}",
        ),
        tried=(
            "Restarted the phone",
            "Reinstalled Microsoft Authenticator",
        ),
    ),
    Topic(
        subjects=(
            "Computer extremely slow",
            "Updates stuck at {count}%",
            "Blue screen several times today",
        ),
        problems=(
            "It takes over ten minutes to start up.",
            "The update has been on the same percentage since yesterday.",
            "It has crashed with a blue screen three times today.",
            "I lose what I'm working on every time it crashes.",
        ),
        details=(
            "PC name: {pc}",
            "Stop code: {code}",
        ),
        tried=(
            "Restarted several times",
            "Closed all programs",
        ),
    ),
    Topic(
        subjects=(
            "Suspicious email - did I click something bad?",
            "Is this email genuine?",
            "Strange invoice received by email",
        ),
        problems=(
            "I got an email from 'Microsoft' saying my password expires today.",
            "I clicked the link and typed in my password.",
            "The sender looks like one of our suppliers but the address looks wrong.",
            "It asks us to pay an invoice of {count},000 GBP to a new bank account.",
        ),
        details=(
            "Received at {time}",
            "Sender: noreply@micros0ft-support.com",
        ),
        tried=(
            "Deleted the email",
            "Changed my password",
        ),
    ),
)

GREETINGS = {
    "da": ("Hej", "Hej support", "Hej IT", "Hejsa", "Goddag", "Hej med jer", "Kære support"),
    "en": ("Hi", "Hello", "Hi team", "Dear Support", "Good morning", "Hi all"),
}
# Lines that fill a body beyond the topic's own sentences.
CONTEXT = {
    "da": (
        "Det haster lidt, da jeg har møde kl. {time}.",
        "Kan I hjælpe hurtigst muligt?",
        "Det er ikke akut, men det ville være rart at få løst i løbet af ugen.",
        "Ring gerne på {phone}, hvis I har brug for mere info.",
        "Jeg sidder ved min plads resten af dagen.",
        "Jeg er på kontoret fra 8 til 16, hvis I vil kigge på det.",
        "I må gerne fjernstyre min computer.",
        "Det skete første gang i {weekday}s.",
        "Jeg har vedhæftet et billede af fejlen, hvis det hjælper.",
        "Min kollega {colleague} har haft noget lignende tidligere.",
    ),
    "en": (
        "It's a bit urgent as I have a meeting at {time}.",
        "Could you help as soon as possible?",
        "Not urgent, but it would be good to get it fixed this week.",
        "Feel free to call me on {phone} if you need more info.",
        "I'm at my desk for the rest of the day.",
        "I'm in the office 8 to 4 if you want to take a look.",
        "You're welcome to remote into my computer.",
        "It first happened on {weekday}.",
        "I've attached a screenshot of the error in case it helps.",
        "My colleague {colleague} had something similar before.",
    ),
}
TRIED_INTRO = {
    "da": ("Jeg har prøvet:", "Det har jeg prøvet indtil nu:", "Jeg har allerede:"),
    "en": ("I have tried:", "What I've tried so far:", "I have already:"),
}
CLOSINGS = {
    "da": ("Med venlig hilsen", "Venlig hilsen", "Mvh.", "Vh", "På forhånd tak", "Hilsen"),
    "en": ("Kind regards", "Best regards", "Thanks", "Many thanks", "Cheers", "Regards"),
}
TITLES = {
    "da": (
        "Bogholder", "Salgskonsulent", "Kontorchef", "Lagerchef", "Projektleder",
        "Receptionist", "Tandlægesekretær", "Værkfører", "Indehaver", "Økonomiansvarlig",
    ),
    "en": (
        "Accounts Assistant", "Sales Executive", "Office Manager", "Warehouse Manager",
        "Project Manager", "Receptionist", "Practice Manager", "Site Foreman", "Director",
    ),
}
DISCLAIMERS = {
    "da": (
        "Denne e-mail kan indeholde fortrolige oplysninger.",
        "Hvis du ikke er den rette modtager, bedes du slette den og give afsenderen besked.",
        "Tænk på miljøet, før du printer denne e-mail.",
    ),
    "en": (
        "This email and any attachments are confidential and intended solely for the addressee.",
        "If you have received this email in error please notify the sender and delete it.",
        "Please consider the environment before printing this email.",
    ),
}
REPLY_OPENERS = {
    "da": (
        "Jeg har nu prøvet at genstarte, men det virker stadig ikke.",
        "Jeg glemte at skrive, at det også gælder for min kollega.",
        "Er der nogen, der har kigget på det her?",
        "Rykker lige for svar, da det stadig ikke virker.",
        "Her er lidt flere oplysninger om fejlen.",
        "Det virker nu igen, tak. I kan lukke sagen.",
        "Nu er det også begyndt at ske for {colleague}.",
    ),
    "en": (
        "I've restarted again but it still doesn't work.",
        "Forgot to mention that my colleague has the same issue.",
        "Has anyone had a chance to look at this?",
        "Just chasing this up as it still isn't working.",
        "Some more details about the error below.",
        "It's working again now, thanks. You can close this.",
        "Now {colleague} is seeing it too.",
    ),
}
REPLY_PREFIX = {"da": "SV: ", "en": "Re: "}

FIRST_NAMES = {
    "da": (
        "Søren", "Jørgen", "Mette", "Anne", "Lars", "Mads", "Henrik", "Kirsten", "Bjørn",
        "Sofie", "Ida", "Line", "Rasmus", "Jens", "Pernille", "Helle", "Mikkel", "Frederik",
        "Bodil", "Gitte", "Kåre", "Åse", "Ulla", "Niels", "Trine", "Malene", "Emil",
        "Jesper", "Louise", "Birthe", "Torben", "Hanne", "Bøje", "Asger", "Signe",
    ),
    "en": (
        "Oliver", "Amelia", "Harry", "Emily", "James", "Sophie", "George", "Olivia",
        "Jack", "Isla", "Thomas", "Grace", "William", "Chloe", "Daniel", "Lucy", "Liam",
        "Hannah", "Samuel", "Megan", "Joseph", "Charlotte", "David", "Rachel",
    ),
}
LAST_NAMES = {
    "da": (
        "Jørgensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
        "Sørensen", "Rasmussen", "Jensen", "Møller", "Madsen", "Kristensen", "Østergaard",
        "Bækgaard", "Lauridsen", "Dahl", "Holm", "Krøyer", "Frølund", "Ågesen", "Bøgh",
        "Skovgård", "Lykkegård", "Thomsen", "Poulsen",
    ),
    "en": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
        "Hall", "Wood", "Jackson", "Clarke", "O'Brien", "Patel", "Khan", "Murphy",
    ),
}
# (domain, company, mail system). Free-mail domains are there because sole traders
# write from them; their mails look like the provider's, not like a company's.
DOMAINS = {
    "da": (
        ("nordvvs.dk", "Nord VVS ApS", "outlook"),
        ("tandlaege-holm.dk", "Tandlæge Holm", "outlook"),
        ("kromann-revision.dk", "Kromann Revision", "outlook"),
        ("bageriet-aaby.dk", "Bageriet Åby", "gmail"),
        ("fjordbyg.dk", "Fjordbyg A/S", "outlook"),
        ("lykke-ejendomme.dk", "Lykke Ejendomme", "outlook"),
        ("skovgaard-auto.dk", "Skovgård Auto", "thunderbird"),
        ("advokathuset-vejle.dk", "Advokathuset Vejle", "outlook"),
        ("moellers-el.dk", "Møllers El-service", "outlook"),
        ("oestjysk-transport.dk", "Østjysk Transport", "outlook"),
        ("frisoer-saks.dk", "Frisør Saks", "apple"),
        ("groenttorvet.dk", "Grønttorvet", "gmail"),
        ("koebmand-dahl.dk", "Købmand Dahl", "outlook"),
        ("aeroe-camping.dk", "Ærø Camping", "gmail"),
        ("bogholderiet.dk", "Bogholderiet ApS", "outlook"),
        ("klinik-soeholm.dk", "Klinik Søholm", "outlook"),
        ("tegnestuen-nord.dk", "Tegnestuen Nord", "apple"),
        ("vinkaelderen.dk", "Vinkælderen", "thunderbird"),
        ("boernehuset-solsikken.dk", "Børnehuset Solsikken", "outlook"),
        ("malerfirma-bach.dk", "Malerfirma Bach", "gmail"),
        ("roedovre-fysio.dk", "Rødovre Fysioterapi", "outlook"),
        ("danfragt-logistik.dk", "Danfragt Logistik", "outlook"),
        ("blomsterhjoernet.dk", "Blomsterhjørnet", "apple"),
        ("gmail.com", "", "gmail"),
        ("hotmail.com", "", "outlook"),
    ),
    "en": (
        ("harbourlogistics.co.uk", "Harbour Logistics Ltd", "outlook"),
        ("greenleaf-dental.co.uk", "Greenleaf Dental", "outlook"),
        ("brightsparks-electrical.com", "Bright Sparks Electrical", "gmail"),
        ("oakridge-accounting.com", "Oakridge Accounting", "outlook"),
        ("northwind-traders.com", "Northwind Traders", "outlook"),
        ("baker-and-sons.co.uk", "Baker & Sons", "thunderbird"),
        ("riverside-vets.co.uk", "Riverside Vets", "outlook"),
        ("kingsley-law.com", "Kingsley Law LLP", "outlook"),
        ("pinecrest-homes.com", "Pinecrest Homes", "gmail"),
        ("bluewave-marine.com", "Bluewave Marine", "apple"),
        ("thornbury-surveyors.co.uk", "Thornbury Surveyors", "outlook"),
        ("summit-physio.com", "Summit Physio", "gmail"),
        ("maple-print.co.uk", "Maple Print", "thunderbird"),
        ("ironbridge-engineering.co.uk", "Ironbridge Engineering", "outlook"),
        ("coastal-cafe.co.uk", "Coastal Cafe", "apple"),
        ("silverline-travel.com", "Silverline Travel", "outlook"),
        ("fairfield-school.org.uk", "Fairfield School", "outlook"),
        ("hawthorn-architects.com", "Hawthorn Architects", "apple"),
        ("copperkettle.co.uk", "The Copper Kettle", "gmail"),
        ("redhill-motors.co.uk", "Redhill Motors", "outlook"),
        ("lakeside-hotel.com", "Lakeside Hotel", "outlook"),
        ("westgate-pharmacy.co.uk", "Westgate Pharmacy", "outlook"),
        ("oldmill-brewery.co.uk", "Old Mill Brewery", "gmail"),
        ("gmail.com", "", "gmail"),
        ("outlook.com", "", "outlook"),
    ),
}

SITES = {
    "da": ("Hovedkontoret", "Lageret i Brøndby", "Butikken på Strøget", "Afdelingen i Århus"),
    "en": ("Head office", "Leeds warehouse", "High Street shop", "Bristol branch"),
}
ISPS = {"da": ("YouSee", "Norlys", "Telenor", "Hiper"), "en": ("BT", "Sky", "Virgin Media")}
WEEKDAYS = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)
PRINTERS = ("HP LaserJet M507", "Canon iR-ADV C5535", "Brother MFC-L8900", "Kyocera TASKalfa")
ERROR_CODES = ("0x800CCC0E", "0x80070005", "0x8004010F", "CAA50021", "E-8000", "13.A2.D2")

# (extension, MIME type, magic bytes the file starts with, Danish and English names).
# A name with non-ASCII letters is sent with RFC 2231, as Outlook and Apple Mail do.
ATTACHMENTS = (
    ("png", "image/png", b"\x89PNG\r\n\x1a\n",
     ("Skærmbillede {stamp}.png", "Fejlbesked på skærmen.png"),
     ("Screenshot {stamp}.png", "error.png")),
    ("jpg", "image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
     ("IMG_{num}.jpg", "Billede af printeren.jpg"),
     ("IMG_{num}.jpg", "photo of printer.jpg")),
    ("pdf", "application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
     ("Faktura {num}.pdf", "Tilbud på ny bærbar.pdf", "Fejlrapport.pdf"),
     ("Invoice_{num}.pdf", "quote for new laptop.pdf", "error report.pdf")),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     b"PK\x03\x04\x14\x00\x06\x00",
     ("Oversigt over brugere.xlsx", "Kørselsregnskab {num}.xlsx", "Løn og timer.xlsx"),
     ("user list.xlsx", "mileage {num}.xlsx", "timesheet.xlsx")),
)
