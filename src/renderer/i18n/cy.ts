import type { MessageKey } from './en-GB';

/**
 * Every word the screens show, in Welsh, written for Classlock in short, plain sentences.
 * Texts from the school's policy come already chosen for the user's locale and are not here.
 *
 * Welsh has six plural forms (zero, one, two, few, many, other), but after a numeral the
 * noun stays singular ("5 eiliad", "10 munud"), so one sentence serves every form.
 */

type Base<K> = K extends `${infer B}_one` | `${infer B}_other` ? B : K;
type Key = Base<MessageKey>;

const PLURAL_FORMS = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;

/** The same sentence under every Welsh plural form of `key`. */
function plural(key: Key, text: string): Record<string, string> {
  return Object.fromEntries(PLURAL_FORMS.map((form) => [`${key}_${form}`, text]));
}

const words: Partial<Record<Key, string>> = {
  'app.name': 'Classlock',
  'app.noBridge':
    'Ni all Classlock siarad â’i wasanaeth cefndir, felly ni all ddangos y sgrin hon. Dywedwch wrth yr adran TG.',
  'app.errorPrefix': 'Gwall:',
  'app.sendFailed':
    'Ni weithiodd hynny. Rhowch gynnig arall arni. Os yw’n dal i ddigwydd, dywedwch wrth yr adran TG.',

  'title.agreement': 'Cytundeb',
  'title.pinEnrol': 'Dewiswch eich PIN',
  'title.warning': 'Yn cloi cyn hir',
  'title.locked': 'Wedi cloi',
  'title.blocked': 'Mynediad wedi’i dynnu’n ôl',
  'title.loggingOff': 'Yn allgofnodi',
  'title.endOfDay': 'Mae’r diwrnod ysgol yn dod i ben',
  'title.notice': 'Hysbysiad',
  'title.none': 'Classlock',

  'method.pin': 'PIN',
  'method.ldap': 'Cyfrinair ysgol',
  'method.override': 'Cod diystyru TG',
  'method.use.pin': 'PIN',
  'method.use.ldap': 'cyfrinair ysgol',
  'method.use.override': 'y cod diystyru TG',

  'agreement.position': 'Cytundeb {{position}} o {{count}}',
  'agreement.kicker.pupil': 'Cyn i chi ddechrau',
  'agreement.kicker.staff': 'Cytundeb staff',
  'agreement.kicker.visitor': 'Cytundeb ymwelwyr',
  'agreement.intro.pupil':
    'Darllenwch hwn, os gwelwch yn dda. Mae’n dweud sut i ddefnyddio cyfrifiaduron yr ysgol yn ddiogel.',
  'agreement.intro.staff': 'Darllenwch y cytundeb hwn, yna llofnodwch ef drwy deipio eich enw.',
  'agreement.intro.visitor':
    'Darllenwch y cytundeb hwn. Rhaid i aelod o staff aros gyda chi tra byddwch yn defnyddio’r cyfrifiadur hwn.',
  'agreement.readAloud': 'Darllen i mi',
  'agreement.stopReading': 'Stopio darllen',
  'agreement.noVoices':
    'Ni all y cyfrifiadur hwn ddarllen yn uchel. Gofynnwch i athro ei ddarllen gyda chi.',
  'agreement.scrollHint': 'Darllenwch y cytundeb i’r diwedd, yna dywedwch “Rwy’n cytuno”.',
  'agreement.scrollHint.pupil': 'Sgroliwch i lawr i’w ddarllen i gyd, yna dywedwch “Rwy’n cytuno”.',
  'agreement.readToEnd': 'Rydych wedi cyrraedd y diwedd.',
  'agreement.heardToEnd': 'Rydych wedi gwrando i’r diwedd.',
  'agreement.tick': 'Rwyf wedi darllen hwn a byddaf yn cadw ato',
  'agreement.tick.promises': 'Byddaf yn cadw fy addewidion',
  'agreement.changesTitle': 'Beth sydd wedi newid ers i chi gytuno ddiwethaf',
  'agreement.errorSummary': 'Mae problem',
  'agreement.missing.read':
    'Darllenwch y cytundeb i’r diwedd: sgroliwch i lawr i’r diwedd, neu pwyswch “Darllen i mi” a gwrandewch i’r diwedd.',
  'agreement.missing.read.noVoices':
    'Darllenwch y cytundeb i’r diwedd: sgroliwch i lawr i’r diwedd.',
  'agreement.missing.tick': 'Ticiwch y blwch i ddweud y byddwch yn cadw ato.',
  'agreement.missing.name': 'Teipiwch eich enw i lofnodi’r cytundeb.',
  'agreement.accept': 'Rwy’n cytuno',
  'agreement.decline': 'Nid wyf yn cytuno',
  'agreement.typedNameLabel': 'Teipiwch eich enw i lofnodi',
  'agreement.typedNameHint':
    'Eich enw fel rydych yn ei lofnodi, er enghraifft Siân Jones. Os oes gennych un enw, mae hynny’n ddigon.',
  'agreement.confirmTitle': 'Ydych chi’n siŵr?',
  'agreement.confirmBody':
    'Os nad ydych yn cytuno, byddwch yn cael eich allgofnodi o’r cyfrifiadur hwn.',
  'agreement.goBack': 'Mynd yn ôl',
  'agreement.signOut': 'Allgofnodi fi',
  'agreement.nameRequired': 'Teipiwch eich enw i lofnodi’r cytundeb. Mae un enw yn ddigon.',
  'agreement.saveFailed':
    'Nid oedd modd cadw eich ateb. Rhowch gynnig arall arni. Os yw’n dal i ddigwydd, dywedwch wrth yr adran TG.',

  'pin.title': 'Dewiswch eich PIN datgloi',
  'pin.intro':
    'Byddwch yn defnyddio’r PIN hwn i ddatgloi’r cyfrifiadur pan fydd yn cloi. Cadwch ef i chi eich hun. Peidiwch â’i ysgrifennu i lawr.',
  'pin.rulesTitle': 'Rhaid i’ch PIN gael',
  'pin.rule.length': 'rhwng {{min}} a {{max}} nod',
  'pin.rule.letter': 'o leiaf un llythyren',
  'pin.rule.digit': 'o leiaf un rhif',
  'pin.rule.symbol': 'o leiaf un symbol, fel ! # neu ?',
  'pin.field': 'PIN newydd',
  'pin.confirmField': 'Teipiwch yr un PIN eto',
  'pin.save': 'Cadw fy PIN',
  'pin.needsLetter': 'Mae angen o leiaf un llythyren yn eich PIN.',
  'pin.needsDigit': 'Mae angen o leiaf un rhif yn eich PIN.',
  'pin.needsSymbol': 'Mae angen o leiaf un symbol yn eich PIN, fel ! # neu ?.',
  'pin.saveFailed':
    'Nid oedd modd cadw eich PIN. Rhowch gynnig arall arni. Os yw’n dal i ddigwydd, dywedwch wrth yr adran TG.',
  'pin.mismatch': 'Nid yw’r ddau PIN yr un fath. Teipiwch yr un PIN yn y ddau flwch.',

  'warning.lead':
    'Bydd y cyfrifiadur hwn yn cloi cyn hir, oherwydd nad oes neb wedi’i ddefnyddio ers tro.',
  'warning.body': 'Symudwch y llygoden neu pwyswch fysell i aros wedi mewngofnodi.',
  'warning.body.pupil': 'Cliciwch neu pwyswch fysell i aros wedi mewngofnodi.',
  'warning.stay': 'Aros wedi mewngofnodi',
  'warning.hide': 'Cuddio’r sgrin a dweud wrth athro',
  'warning.hideHint': 'Pwyswch hwn os ydych yn gweld rhywbeth sy’n eich poeni neu’n eich gofidio.',
  'warning.hideShortcut': 'Gallwch hefyd bwyso {{shortcut}} unrhyw bryd.',

  'locked.heading': 'Mae’r cyfrifiadur hwn wedi cloi',
  'locked.heading.concern': 'Mae’r sgrin wedi’i chuddio',
  'locked.heading.visitor': 'Yn aros am aelod o staff',
  'locked.owner': 'Wedi mewngofnodi: {{name}}',
  'locked.since': 'Wedi cloi ers {{time}}',
  'locked.concernBody':
    'Fe wnaethoch chi’r peth iawn. Arhoswch yma a dywedwch wrth athro. Bydd aelod o staff yn dod i helpu.',
  'locked.concernTold': 'Mae {{who}} wedi cael gwybod ac yn dod i helpu.',
  'locked.concernContact': 'Y person sy’n gofalu am bryderon fel hyn yw {{contact}}.',
  'locked.visitorBody':
    'Rhaid i aelod o staff ddechrau sesiwn yr ymwelydd hwn cyn y gellir ei defnyddio.',
  'locked.askTeacher': 'Gofynnwch i’ch athro ddatgloi’r cyfrifiadur hwn.',
  'locked.logoffAt':
    'Os na fydd neb yn ei ddatgloi, bydd y sesiwn hon yn dod i ben am {{time}} i ryddhau’r cyfrifiadur.',
  'locked.logoffAt.endOfDay':
    'Mae’r diwrnod ysgol yn gorffen am {{time}}. Bydd y sesiwn hon yn cael ei hallgofnodi bryd hynny.',
  'locked.rulesTitle': 'Cofiwch',
  'locked.unlockTitle': 'Datgloi',
  'locked.unlockTitle.staff': 'I staff',
  'locked.methodLegend': 'Datgloi gyda',
  'locked.missing.username': 'Teipiwch enw defnyddiwr yn gyntaf.',
  'locked.missing.secret': 'Teipiwch ef yn y blwch “{{label}}” yn gyntaf.',
  'locked.noPinTitle': 'Dim PIN ar y cyfrifiadur hwn?',
  'locked.noPinBody': 'Gofynnwch i {{itContact}} ei ddatgloi gyda’r cod diystyru TG.',
  'locked.noPinLogoff':
    'Neu gadewch ef: bydd y sesiwn hon yn dod i ben ar ei phen ei hun am {{time}}.',
  'locked.forgotTitle': 'Wedi anghofio eich PIN?',
  'locked.forgotReset':
    'Gofynnwch i {{itContact}} ei ailosod. Byddwch yn dewis PIN newydd y tro nesaf y byddwch yn mewngofnodi.',
  'locked.forgotLdap':
    'Gallwch ddefnyddio eich cyfrinair ysgol yn lle hynny: dewiswch “Cyfrinair ysgol” uchod.',
  'locked.forgotOverride': 'Tan hynny, gall TG ddatgloi’r cyfrifiadur hwn gyda’r cod diystyru TG.',
  'locked.username': 'Enw defnyddiwr',
  'locked.username.staff': 'Enw defnyddiwr staff',
  'locked.secret.pin': 'Eich PIN',
  'locked.secret.ldap': 'Eich cyfrinair ysgol',
  'locked.secret.override': 'Cod diystyru',
  'locked.secret.staff.pin': 'PIN staff',
  'locked.secret.staff.ldap': 'Cyfrinair ysgol staff',
  'locked.secret.staff.override': 'Cod diystyru',
  'locked.unlock': 'Datgloi',
  'locked.unlock.concern': 'Dychwelyd i’r sesiwn',
  'locked.unlock.visitor': 'Dechrau sesiwn yr ymwelydd',
  'locked.endSession': 'Dod â’r sesiwn hon i ben',
  'locked.secondary': 'Defnyddiwch y brif sgrin i ddatgloi.',

  'unlock.wrong': 'Nid oedd hynny’n iawn. Rhowch gynnig arall arni.',
  'unlock.unavailable':
    'Nid oes modd gwirio {{methodName}} ar hyn o bryd. Defnyddiwch {{nextName}} yn lle hynny.',
  'unlock.unavailable.noOther':
    'Nid oes modd gwirio {{methodName}} ar hyn o bryd. Rhowch gynnig arall arni ymhen ychydig funudau, neu ffoniwch TG.',
  'unlock.refused': 'Gwrthodwyd y datgloi.',
  'unlock.pinUnavailable':
    'Nid oes PIN ar gyfer y cyfrif hwnnw y gall y cyfrifiadur hwn ei wirio. Defnyddiwch {{nextName}} yn lle hynny.',
  'unlock.directoryDown':
    'Nid oes modd cyrraedd cyfeiriadur yr ysgol, felly nid oes modd gwirio cyfrineiriau ysgol ar hyn o bryd. Defnyddiwch {{nextName}} yn lle hynny.',
  'unlock.alreadyChosen': 'Mae eisoes wedi’i ddewis i chi.',
  'unlock.notAllowed': 'Nid oes gan y cyfrif hwnnw ganiatâd i ddatgloi’r sesiwn hon.',
  'service.unavailable':
    'Nid yw gwasanaeth peiriant Classlock yn rhedeg, felly mae’r cyfrifiadur hwn yn aros dan orchudd. Dywedwch wrth y tîm TG; ni ellir datgloi dim yma nes bydd y gwasanaeth yn ôl.',
  'session.endedByStaff': 'Daeth aelod o staff â’r sesiwn hon i ben.',

  'blocked.heading.network': 'Mae eich mynediad i’r rhwydwaith wedi’i ddiffodd',
  'blocked.heading.internet': 'Mae eich mynediad i’r rhyngrwyd wedi’i ddiffodd',
  'blocked.heading.optOut': 'Mae mynediad i’r rhyngrwyd wedi’i ddiffodd i chi',
  'blocked.optOutBody':
    'Mae eich rhiant neu ofalwr wedi gofyn i’r ysgol beidio â gadael i chi ddefnyddio’r rhyngrwyd. Gallwch ddal i ddefnyddio’r cyfrifiadur a rhwydwaith yr ysgol.',
  'blocked.internetBody': 'Gallwch ddal i ddefnyddio’r cyfrifiadur a rhwydwaith yr ysgol.',
  'blocked.continue': 'Rwy’n deall',
  'blocked.why': 'Pam?',
  'blocked.until': 'Tan',
  'blocked.untilLifted': 'Nes bydd aelod o staff yn ei godi',
  'blocked.whoToSee': 'Pwy i’w weld',
  'blocked.logoffAt': 'Byddwch yn cael eich allgofnodi am {{time}}.',
  'blocked.saveNow': 'Cadwch eich gwaith nawr.',
  'blocked.goBack': 'Mynd yn ôl i gadw fy ngwaith',

  'endOfDay.heading': 'Mae’r diwrnod ysgol yn dod i ben',
  'endOfDay.body':
    'Cadwch eich gwaith a chaewch eich rhaglenni nawr. Bydd unrhyw beth heb ei gadw erbyn hynny yn cael ei golli.',
  'endOfDay.continue': 'Byddaf yn cadw fy ngwaith nawr',

  'loggingOff.heading': 'Yn eich allgofnodi',
  'loggingOff.declined':
    'Wnaethoch chi ddim cytuno i’r cytundeb, felly rydych yn cael eich allgofnodi.',
  'loggingOff.sanction':
    'Mae eich mynediad i’r rhwydwaith wedi’i ddiffodd, felly rydych yn cael eich allgofnodi.',
  'loggingOff.idle':
    'Ni ddefnyddiodd neb y cyfrifiadur hwn am amser hir, felly mae’r sesiwn hon yn dod i ben.',
  'loggingOff.endOfDay': 'Mae’r diwrnod ysgol wedi dod i ben, felly mae’r sesiwn hon yn dod i ben.',
  'loggingOff.visitorTimeUp': 'Mae’r amser ar gyfer sesiwn yr ymwelydd hwn ar ben.',
  'loggingOff.endedByStaff': 'Daeth aelod o staff â’r sesiwn hon i ben.',
  'loggingOff.wait': 'Arhoswch, os gwelwch yn dda. Mae hyn yn cymryd ychydig eiliadau.',

  'secondary.useMain': 'Defnyddiwch y brif sgrin, os gwelwch yn dda.',

  'notice.close': 'Cau',
};

export const cy: Record<string, string> = {
  ...words,
  ...plural('pin.tooShort', 'Mae eich PIN yn rhy fyr. Defnyddiwch o leiaf {{count}} nod.'),
  ...plural('pin.tooLong', 'Mae eich PIN yn rhy hir. Defnyddiwch ddim mwy na {{count}} nod.'),
  ...plural('warning.heading', 'Yn cloi mewn {{count}} eiliad'),
  ...plural('warning.unit', 'eiliad'),
  ...plural(
    'warning.announce',
    'Bydd y cyfrifiadur hwn yn cloi mewn {{count}} eiliad. Symudwch y llygoden neu pwyswch fysell i aros wedi mewngofnodi.',
  ),
  ...plural(
    'warning.announce.pupil',
    'Bydd y cyfrifiadur hwn yn cloi mewn {{count}} eiliad. Cliciwch neu pwyswch fysell i aros wedi mewngofnodi.',
  ),
  ...plural(
    'unlock.wrong',
    'Nid oedd hynny’n iawn. Mae gennych {{count}} cynnig arall cyn bod rhaid i chi aros.',
  ),
  ...plural(
    'unlock.wait',
    'Gormod o gynigion. Arhoswch {{count}} eiliad, yna rhowch gynnig arall arni.',
  ),
  ...plural('blocked.logoffIn', 'Byddwch yn cael eich allgofnodi mewn {{count}} eiliad.'),
  ...plural('blocked.logoffInMinutes', 'Byddwch yn cael eich allgofnodi mewn tua {{count}} munud.'),
  ...plural(
    'endOfDay.at',
    'Bydd y cyfrifiadur hwn yn eich allgofnodi am {{time}}, ymhen tua {{count}} munud.',
  ),
};
