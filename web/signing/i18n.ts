/**
 * The page's words in English and Spanish. The language follows the browser (`navigator.language`)
 * until the recipient picks another with the switcher; the choice is kept for the tab
 * (shared/lang.ts).
 *
 * What the server records (the disclosure, the statement affirmed by signing) is its English text:
 * the Spanish page says so and shows the recorded text alongside its own words.
 */

import { lang, type Lang, type Message, type Params } from '../shared/lang';

export { followSender, initLang, lang, LANGS, onLangChange, setLang, type Lang } from '../shared/lang';

const en = {
  'app.name': 'Countersign',
  'app.language': 'Language',
  'app.skip': 'Skip to content',
  'app.loading': 'Loading your documents…',
  'app.title': 'Sign documents',
  'app.senderLogo': 'The sender’s logo',

  'error.missing.title': 'This link is incomplete',
  'error.missing.body':
    'The page was opened without the code from your invitation. Open the link in your invitation e-mail again; if your e-mail program split it over two lines, copy the whole link into the address bar.',
  'error.invalid.title': 'This link is not valid',
  'error.invalid.body':
    'It may have been shortened or changed, or replaced by a newer invitation. Use the link in the most recent invitation e-mail, or ask the sender to send you a new one.',
  'error.gone.title': 'This link no longer works',
  'error.gone.body':
    'The envelope may have been cancelled, declined, expired or completed some time ago. Ask the sender if you need the documents.',
  'error.notFound.title': 'Nothing to sign here',
  'error.notFound.body':
    'This link does not lead to anything you can sign any more. Ask the sender for help.',
  'error.network.title': 'We cannot reach the server',
  'error.network.body': 'Check your connection and try again. Nothing was lost.',
  'error.server.title': 'Something went wrong on our side',
  'error.server.body': 'Please try again in a moment. If it keeps happening, tell the sender.',
  'error.details': (p) => `Details: ${p.message}`,
  'error.requestId': (p) => `Reference: ${p.id}`,
  'error.retry': 'Try again',

  'auth.title': 'Confirm it is you',
  'auth.sms.intro': (p) => `We will send a 6-digit code by text message to ${p.hint}.`,
  'auth.email.intro': (p) => `We will send a 6-digit code by e-mail to ${p.hint}.`,
  'auth.access.intro':
    'The sender gave you an access code (by phone, in person or in another message). Enter it to open the documents.',
  'auth.send': 'Send me a code',
  'auth.resend': 'Send a new code',
  'auth.sending': 'Sending…',
  'auth.sent': (p) => `We sent a code to ${p.hint}. It is valid for 10 minutes.`,
  'auth.code': 'Code',
  'auth.accessCode': 'Access code',
  'auth.codeHint': '6 digits.',
  'auth.verify': 'Continue',
  'auth.verifying': 'Checking…',
  'auth.attemptsLeft': (p) => (p.n === 1 ? '1 attempt left.' : `${p.n} attempts left.`),
  'auth.wrong': (p) =>
    p.n === 1 ? 'That code is not right. 1 attempt left.' : `That code is not right. ${p.n} attempts left.`,
  'auth.expired': 'That code has expired. Send yourself a new one.',
  'auth.noCode': 'Send yourself a code first.',
  'auth.empty': 'Enter the code.',
  'auth.tooMany':
    'Too many codes were sent for this invitation. Ask the sender to send you a new invitation.',
  'auth.locked.title': 'This link is locked',
  'auth.locked.body':
    'Too many wrong codes were entered. For your protection this link stays locked until the sender sends you a new invitation.',

  'envelope.from': (p) => `From ${p.sender}`,
  'envelope.fromUnknown': 'From the sender',
  'envelope.message': 'Message from the sender',
  'envelope.asksSign': (p) => `${p.sender} asks you to sign “${p.title}”.`,
  'envelope.asksApprove': (p) => `${p.sender} asks you to approve “${p.title}”.`,
  'envelope.theSender': 'The sender',
  'envelope.group': (p) => `You sign for the group “${p.group}”: the first member to sign signs for it.`,

  'consent.title': 'Before you sign electronically',
  'consent.summary': 'In short',
  'consent.point.scope':
    'You agree to receive, review and sign the documents in this envelope, and the notices about it, electronically. Your electronic signature has the same effect as a handwritten one.',
  'consent.point.withdraw':
    'You can withdraw this consent at any time before you sign, with “Withdraw consent” on this page. The sender is told; a signature you already gave stays valid.',
  'consent.point.paper': (p) =>
    `You can ask the sender for a paper copy of any document at no charge${p.contact ? `: ${p.contact}` : ''}.`,
  'consent.point.needs':
    'You need a device with a current web browser, an e-mail account and a program that opens PDF files. Download the documents to keep a copy.',
  'consent.full': 'Full disclosure',
  'consent.recordedIn': '',
  'consent.check': 'I have read the disclosure and agree to use electronic records and signatures.',
  'consent.checkRequired': 'Tick the box to agree, or decline to sign.',
  'consent.continue': 'Agree and continue',
  'consent.changed': 'The disclosure has changed since this page loaded. Please read it again.',

  'docs.title': 'Documents',
  'docs.pageOf': (p) => `Page ${p.page} of ${p.pages}`,
  'docs.download': (p) => `Download ${p.name}`,
  'docs.loading': 'Loading the document…',
  'docs.failed': 'This document could not be shown. You can still download it.',
  'docs.changed':
    'This document is not the version you were invited to sign. Reload the page; if this persists, tell the sender.',
  'docs.pageRendering': (p) => `Page ${p.page} is loading`,

  'field.signature': 'Signature',
  'field.initials': 'Initials',
  'field.date_signed': 'Date signed',
  'field.text': 'Text',
  'field.number': 'Number',
  'field.date': 'Date',
  'field.checkbox': 'Checkbox',
  'field.dropdown': 'Choice',
  'field.required': 'required',
  'field.optional': 'optional',
  'field.onPage': (p) => `page ${p.page}`,
  'field.overlay': (p) => `${p.label}, ${p.need}, ${p.where}${p.done ? ', done' : ''}`,
  'field.signHere': 'Sign here',
  'field.initialHere': 'Initial',
  'field.autoDate': 'Filled with the signing date',
  'field.choose': 'Choose…',
  'field.yes': 'Checked',
  'fields.title': 'Your fields',
  'fields.none': 'There are no fields for you to fill in.',
  'fields.progress': (p) => `${p.done} of ${p.total} done`,
  'fields.next': 'Next field',
  'fields.allDone': 'All your fields are done. Review, then sign.',
  'fields.allDoneApprove': 'Review the documents, then approve.',
  'fields.announce': (p) => `Field ${p.index} of ${p.total}: ${p.label}`,
  'fields.fix': (p) => (p.n === 1 ? '1 field needs your attention.' : `${p.n} fields need your attention.`),
  'fields.server': (p) => `The server says: ${p.message}`,

  'check.required': 'This field is required.',
  'check.requiredBox': 'This box must be checked.',
  'check.text': 'Enter text.',
  'check.tooLong': (p) => `Use at most ${p.max} characters (now ${p.length}).`,
  'check.tooShort': (p) => `Use at least ${p.min} characters (now ${p.length}).`,
  'check.pattern': 'The value does not have the expected format.',
  'check.number': 'Enter a number.',
  'check.numberMin': (p) => `Enter a number of at least ${p.min}.`,
  'check.numberMax': (p) => `Enter a number of at most ${p.max}.`,
  'check.date': 'Enter a date that exists (YYYY-MM-DD).',
  'check.dateMin': (p) => `Choose ${p.min} or later.`,
  'check.dateMax': (p) => `Choose ${p.max} or earlier.`,
  'check.option': 'Choose one of the options.',

  'sig.title': 'Your signature',
  'sig.initialsTitle': 'Your initials',
  'sig.mode': 'How do you want to sign?',
  'sig.initialsMode': 'How do you want to initial?',
  'sig.type': 'Type',
  'sig.draw': 'Draw',
  'sig.typeLabel': 'Type your full name',
  'sig.initialsLabel': 'Type your initials',
  'sig.preview': 'Preview',
  'sig.previewOf': (p) => `Preview of your signature: ${p.text}`,
  'sig.previewInitials': (p) => `Preview of your initials: ${p.text}`,
  'sig.drawLabel': 'Draw your signature with your finger, a pen or the mouse in the box below.',
  'sig.drawInitialsLabel': 'Draw your initials in the box below.',
  'sig.drawKeyboard': 'Cannot draw? Choose “Type” to type it instead.',
  'sig.pad': 'Drawing area for your signature',
  'sig.padInitials': 'Drawing area for your initials',
  'sig.drawn': 'Your drawn signature',
  'sig.clear': 'Clear',
  'sig.emptyTyped': 'Type your name to adopt a signature.',
  'sig.emptyDrawn': 'Draw your signature, or choose “Type”.',
  'sig.emptyInitialsTyped': 'Type your initials.',
  'sig.emptyInitialsDrawn': 'Draw your initials, or choose “Type”.',
  'sig.tooLong': (p) => `Use at most ${p.max} characters.`,

  'sign.title': 'Sign',
  'sign.approveTitle': 'Approve',
  'sign.intent':
    'By selecting “Sign”, I confirm that I have reviewed the documents and adopt the signature shown above as my electronic signature, with the same legal effect as a handwritten signature.',
  'sign.approveIntent':
    'By selecting “Approve”, I confirm that I have reviewed the documents and approve them. I am not signing them; my approval is recorded in the audit trail.',
  'sign.recorded': '',
  'sign.button': 'Sign',
  'sign.approveButton': 'Approve',
  'sign.signing': 'Signing…',
  'sign.approving': 'Approving…',
  'sign.retrying': 'The connection dropped; trying again…',
  'sign.failed': 'We could not sign right now. Check your connection and try again; you will not sign twice.',
  'sign.changed': 'A document changed since you opened it. Reload the page to see the current version.',
  'sign.reload': 'Reload',

  'more.title': 'Other options',
  'decline.open': 'Decline to sign',
  'decline.title': 'Decline to sign',
  'decline.intro':
    'Declining ends this envelope for everyone. The sender is told, with your reason. You cannot undo this.',
  'decline.reason': 'Reason (the sender will see it)',
  'decline.reasonRequired': 'Give a reason.',
  'decline.confirm': 'Decline',
  'decline.cancel': 'Cancel',
  'decline.working': 'Declining…',
  'withdraw.open': 'Withdraw consent',
  'withdraw.title': 'Withdraw your consent',
  'withdraw.intro':
    'You will not be asked to sign this envelope electronically, and the sender is told. To sign on paper, contact the sender.',
  'withdraw.confirm': 'Withdraw consent',

  'done.signed.title': 'You signed',
  'done.approved.title': 'You approved',
  'done.signed.body': (p) => `Your signature on “${p.title}” is recorded.`,
  'done.approved.body': (p) => `Your approval of “${p.title}” is recorded.`,
  'done.next': 'What happens next',
  'done.nextOthers':
    'If others still have to sign, they are asked now. When everyone has signed, the completed document, sealed against changes, is e-mailed to you.',
  'done.waiting': 'We will show a link to the completed document here as soon as it is ready.',
  'done.completed': 'Everyone has signed. The completed document is ready.',
  'done.downloadCompleted': 'Download the completed document',
  'done.downloadSigned': 'Download the document',
  'done.close': 'You can close this page.',
  'declined.title': 'You declined to sign',
  'declined.body': 'The sender has been told, with your reason. There is nothing more to do.',
  'withdrawn.title': 'You withdrew your consent',
  'withdrawn.body':
    'You will not be asked to sign this envelope electronically. The sender has been told; contact them to sign on paper.',
  'notYet.title': 'It is not your turn yet',
  'notYet.body': 'Others sign before you. You will get an e-mail when it is your turn.',
  'ended.title': 'This envelope is closed',
  'ended.body': (p) => `Nothing can be signed: ${p.reason}.`,
  'completed.title': 'This envelope is complete',
  'completed.body': 'Everyone has signed. You can download the completed document.',

  'busy.generic': 'Working…',
  'lang.en': 'English',
  'lang.es': 'Español',
} satisfies Record<string, Message>;

export type Key = keyof typeof en;

const es: Record<Key, Message> = {
  'app.name': 'Countersign',
  'app.language': 'Idioma',
  'app.skip': 'Saltar al contenido',
  'app.loading': 'Cargando sus documentos…',
  'app.title': 'Firmar documentos',
  'app.senderLogo': 'El logotipo del remitente',

  'error.missing.title': 'Este enlace está incompleto',
  'error.missing.body':
    'La página se abrió sin el código de su invitación. Abra de nuevo el enlace del correo de invitación; si su programa de correo lo partió en dos líneas, copie el enlace completo en la barra de direcciones.',
  'error.invalid.title': 'Este enlace no es válido',
  'error.invalid.body':
    'Puede que se haya acortado o modificado, o que una invitación más reciente lo haya sustituido. Use el enlace de la invitación más reciente o pida al remitente que le envíe una nueva.',
  'error.gone.title': 'Este enlace ya no funciona',
  'error.gone.body':
    'Puede que el sobre se haya anulado, rechazado, vencido o completado hace tiempo. Pida los documentos al remitente si los necesita.',
  'error.notFound.title': 'No hay nada que firmar aquí',
  'error.notFound.body': 'Este enlace ya no lleva a nada que pueda firmar. Pida ayuda al remitente.',
  'error.network.title': 'No podemos conectar con el servidor',
  'error.network.body': 'Compruebe su conexión e inténtelo de nuevo. No se ha perdido nada.',
  'error.server.title': 'Algo ha fallado por nuestra parte',
  'error.server.body': 'Inténtelo de nuevo en un momento. Si sigue ocurriendo, avise al remitente.',
  'error.details': (p) => `Detalles (en inglés): ${p.message}`,
  'error.requestId': (p) => `Referencia: ${p.id}`,
  'error.retry': 'Reintentar',

  'auth.title': 'Confirme que es usted',
  'auth.sms.intro': (p) => `Le enviaremos un código de 6 dígitos por SMS al ${p.hint}.`,
  'auth.email.intro': (p) => `Le enviaremos un código de 6 dígitos por correo a ${p.hint}.`,
  'auth.access.intro':
    'El remitente le dio un código de acceso (por teléfono, en persona o en otro mensaje). Introdúzcalo para abrir los documentos.',
  'auth.send': 'Enviarme un código',
  'auth.resend': 'Enviar un código nuevo',
  'auth.sending': 'Enviando…',
  'auth.sent': (p) => `Hemos enviado un código a ${p.hint}. Es válido durante 10 minutos.`,
  'auth.code': 'Código',
  'auth.accessCode': 'Código de acceso',
  'auth.codeHint': '6 dígitos.',
  'auth.verify': 'Continuar',
  'auth.verifying': 'Comprobando…',
  'auth.attemptsLeft': (p) => (p.n === 1 ? 'Queda 1 intento.' : `Quedan ${p.n} intentos.`),
  'auth.wrong': (p) =>
    p.n === 1
      ? 'Ese código no es correcto. Queda 1 intento.'
      : `Ese código no es correcto. Quedan ${p.n} intentos.`,
  'auth.expired': 'Ese código ha caducado. Envíese uno nuevo.',
  'auth.noCode': 'Primero envíese un código.',
  'auth.empty': 'Introduzca el código.',
  'auth.tooMany':
    'Se han enviado demasiados códigos para esta invitación. Pida al remitente que le envíe una nueva invitación.',
  'auth.locked.title': 'Este enlace está bloqueado',
  'auth.locked.body':
    'Se introdujeron demasiados códigos incorrectos. Por su seguridad, el enlace seguirá bloqueado hasta que el remitente le envíe una nueva invitación.',

  'envelope.from': (p) => `De ${p.sender}`,
  'envelope.fromUnknown': 'Del remitente',
  'envelope.message': 'Mensaje del remitente',
  'envelope.asksSign': (p) => `${p.sender} le pide que firme «${p.title}».`,
  'envelope.asksApprove': (p) => `${p.sender} le pide que apruebe «${p.title}».`,
  'envelope.theSender': 'El remitente',
  'envelope.group': (p) =>
    `Firma por el grupo «${p.group}»: el primer miembro que firme lo hace por todo el grupo.`,

  'consent.title': 'Antes de firmar electrónicamente',
  'consent.summary': 'En resumen',
  'consent.point.scope':
    'Acepta recibir, revisar y firmar electrónicamente los documentos de este sobre y los avisos sobre él. Su firma electrónica tiene el mismo efecto que una manuscrita.',
  'consent.point.withdraw':
    'Puede retirar este consentimiento en cualquier momento antes de firmar, con «Retirar el consentimiento» en esta página. Se avisa al remitente; una firma que ya haya dado sigue siendo válida.',
  'consent.point.paper': (p) =>
    `Puede pedir al remitente una copia en papel de cualquier documento sin coste${p.contact ? `: ${p.contact}` : ''}.`,
  'consent.point.needs':
    'Necesita un dispositivo con un navegador actual, una cuenta de correo y un programa que abra archivos PDF. Descargue los documentos para guardar una copia.',
  'consent.full': 'Aviso completo',
  'consent.recordedIn':
    'El aviso legal se muestra en inglés: es el texto que se registra con su consentimiento.',
  'consent.check': 'He leído el aviso y acepto usar registros y firmas electrónicos.',
  'consent.checkRequired': 'Marque la casilla para aceptar, o rechace la firma.',
  'consent.continue': 'Aceptar y continuar',
  'consent.changed': 'El aviso ha cambiado desde que se cargó la página. Léalo de nuevo.',

  'docs.title': 'Documentos',
  'docs.pageOf': (p) => `Página ${p.page} de ${p.pages}`,
  'docs.download': (p) => `Descargar ${p.name}`,
  'docs.loading': 'Cargando el documento…',
  'docs.failed': 'No se pudo mostrar este documento. Aun así puede descargarlo.',
  'docs.changed':
    'Este documento no es la versión que le invitaron a firmar. Recargue la página; si sigue ocurriendo, avise al remitente.',
  'docs.pageRendering': (p) => `La página ${p.page} se está cargando`,

  'field.signature': 'Firma',
  'field.initials': 'Iniciales',
  'field.date_signed': 'Fecha de firma',
  'field.text': 'Texto',
  'field.number': 'Número',
  'field.date': 'Fecha',
  'field.checkbox': 'Casilla',
  'field.dropdown': 'Opción',
  'field.required': 'obligatorio',
  'field.optional': 'opcional',
  'field.onPage': (p) => `página ${p.page}`,
  'field.overlay': (p) => `${p.label}, ${p.need}, ${p.where}${p.done ? ', hecho' : ''}`,
  'field.signHere': 'Firme aquí',
  'field.initialHere': 'Iniciales',
  'field.autoDate': 'Se rellena con la fecha de firma',
  'field.choose': 'Elija…',
  'field.yes': 'Marcada',
  'fields.title': 'Sus campos',
  'fields.none': 'No tiene campos que rellenar.',
  'fields.progress': (p) => `${p.done} de ${p.total} hechos`,
  'fields.next': 'Siguiente campo',
  'fields.allDone': 'Ha completado todos sus campos. Revise y firme.',
  'fields.allDoneApprove': 'Revise los documentos y apruébelos.',
  'fields.announce': (p) => `Campo ${p.index} de ${p.total}: ${p.label}`,
  'fields.fix': (p) => (p.n === 1 ? '1 campo necesita su atención.' : `${p.n} campos necesitan su atención.`),
  'fields.server': (p) => `El servidor indica (en inglés): ${p.message}`,

  'check.required': 'Este campo es obligatorio.',
  'check.requiredBox': 'Debe marcar esta casilla.',
  'check.text': 'Introduzca texto.',
  'check.tooLong': (p) => `Use como máximo ${p.max} caracteres (ahora ${p.length}).`,
  'check.tooShort': (p) => `Use al menos ${p.min} caracteres (ahora ${p.length}).`,
  'check.pattern': 'El valor no tiene el formato esperado.',
  'check.number': 'Introduzca un número.',
  'check.numberMin': (p) => `Introduzca un número igual o mayor que ${p.min}.`,
  'check.numberMax': (p) => `Introduzca un número igual o menor que ${p.max}.`,
  'check.date': 'Introduzca una fecha que exista (AAAA-MM-DD).',
  'check.dateMin': (p) => `Elija el ${p.min} o una fecha posterior.`,
  'check.dateMax': (p) => `Elija el ${p.max} o una fecha anterior.`,
  'check.option': 'Elija una de las opciones.',

  'sig.title': 'Su firma',
  'sig.initialsTitle': 'Sus iniciales',
  'sig.mode': '¿Cómo quiere firmar?',
  'sig.initialsMode': '¿Cómo quiere poner sus iniciales?',
  'sig.type': 'Escribir',
  'sig.draw': 'Dibujar',
  'sig.typeLabel': 'Escriba su nombre completo',
  'sig.initialsLabel': 'Escriba sus iniciales',
  'sig.preview': 'Vista previa',
  'sig.previewOf': (p) => `Vista previa de su firma: ${p.text}`,
  'sig.previewInitials': (p) => `Vista previa de sus iniciales: ${p.text}`,
  'sig.drawLabel': 'Dibuje su firma con el dedo, un lápiz o el ratón en el recuadro.',
  'sig.drawInitialsLabel': 'Dibuje sus iniciales en el recuadro.',
  'sig.drawKeyboard': '¿No puede dibujar? Elija «Escribir» para teclearla.',
  'sig.pad': 'Zona de dibujo de su firma',
  'sig.padInitials': 'Zona de dibujo de sus iniciales',
  'sig.drawn': 'Su firma dibujada',
  'sig.clear': 'Borrar',
  'sig.emptyTyped': 'Escriba su nombre para adoptar una firma.',
  'sig.emptyDrawn': 'Dibuje su firma o elija «Escribir».',
  'sig.emptyInitialsTyped': 'Escriba sus iniciales.',
  'sig.emptyInitialsDrawn': 'Dibuje sus iniciales o elija «Escribir».',
  'sig.tooLong': (p) => `Use como máximo ${p.max} caracteres.`,

  'sign.title': 'Firmar',
  'sign.approveTitle': 'Aprobar',
  'sign.intent':
    'Al seleccionar «Firmar», confirmo que he revisado los documentos y adopto la firma mostrada arriba como mi firma electrónica, con el mismo efecto legal que una firma manuscrita.',
  'sign.approveIntent':
    'Al seleccionar «Aprobar», confirmo que he revisado los documentos y los apruebo. No los firmo; mi aprobación queda registrada en el registro de auditoría.',
  'sign.recorded': 'Texto que se registra (en inglés):',
  'sign.button': 'Firmar',
  'sign.approveButton': 'Aprobar',
  'sign.signing': 'Firmando…',
  'sign.approving': 'Aprobando…',
  'sign.retrying': 'Se cortó la conexión; lo intentamos de nuevo…',
  'sign.failed':
    'No hemos podido firmar ahora. Compruebe su conexión e inténtelo de nuevo; no firmará dos veces.',
  'sign.changed':
    'Un documento ha cambiado desde que lo abrió. Recargue la página para ver la versión actual.',
  'sign.reload': 'Recargar',

  'more.title': 'Otras opciones',
  'decline.open': 'Rechazar la firma',
  'decline.title': 'Rechazar la firma',
  'decline.intro':
    'Al rechazar, el sobre termina para todos. Se avisa al remitente con su motivo. No se puede deshacer.',
  'decline.reason': 'Motivo (el remitente lo verá)',
  'decline.reasonRequired': 'Indique un motivo.',
  'decline.confirm': 'Rechazar',
  'decline.cancel': 'Cancelar',
  'decline.working': 'Rechazando…',
  'withdraw.open': 'Retirar el consentimiento',
  'withdraw.title': 'Retirar su consentimiento',
  'withdraw.intro':
    'No se le pedirá que firme este sobre electrónicamente y se avisará al remitente. Para firmar en papel, póngase en contacto con él.',
  'withdraw.confirm': 'Retirar el consentimiento',

  'done.signed.title': 'Ha firmado',
  'done.approved.title': 'Ha aprobado',
  'done.signed.body': (p) => `Su firma en «${p.title}» ha quedado registrada.`,
  'done.approved.body': (p) => `Su aprobación de «${p.title}» ha quedado registrada.`,
  'done.next': 'Qué ocurre ahora',
  'done.nextOthers':
    'Si otras personas aún tienen que firmar, se les pide ahora. Cuando todos hayan firmado, recibirá por correo el documento completado, sellado contra cambios.',
  'done.waiting': 'Mostraremos aquí un enlace al documento completado en cuanto esté listo.',
  'done.completed': 'Todos han firmado. El documento completado está listo.',
  'done.downloadCompleted': 'Descargar el documento completado',
  'done.downloadSigned': 'Descargar el documento',
  'done.close': 'Ya puede cerrar esta página.',
  'declined.title': 'Ha rechazado la firma',
  'declined.body': 'Se ha avisado al remitente con su motivo. No tiene que hacer nada más.',
  'withdrawn.title': 'Ha retirado su consentimiento',
  'withdrawn.body':
    'No se le pedirá que firme este sobre electrónicamente. Se ha avisado al remitente; contacte con él para firmar en papel.',
  'notYet.title': 'Aún no es su turno',
  'notYet.body': 'Otras personas firman antes que usted. Recibirá un correo cuando le toque.',
  'ended.title': 'Este sobre está cerrado',
  'ended.body': (p) => `No se puede firmar nada (en inglés: ${p.reason}).`,
  'completed.title': 'Este sobre está completado',
  'completed.body': 'Todos han firmado. Puede descargar el documento completado.',

  'busy.generic': 'Procesando…',
  'lang.en': 'English',
  'lang.es': 'Español',
};

const DICTIONARIES: Record<Lang, Record<Key, Message>> = { en, es };

/** The text for `key` in the current language. */
export function t(key: Key, params: Params = {}): string {
  const message = DICTIONARIES[lang()][key] ?? en[key];
  return typeof message === 'function' ? message(params) : message;
}
