/** Windows line ends, as cmd.exe and regedit expect (the netsh script and the Group Policy files). */
export const CRLF = (text: string) => text.replace(/\r?\n/g, '\r\n');
