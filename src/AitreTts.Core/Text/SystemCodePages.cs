using System.Globalization;
using System.Runtime.InteropServices;

namespace AitreTts.Core.Text;

/// <summary>
/// The system's ANSI and OEM code pages: on Windows what GetACP and GetOEMCP return, the code pages Windows PowerShell
/// 5.1's Set-Content and Notepad write in, set by the system locale. The user's culture may differ from it (a German
/// user on an English system), so CultureInfo's ANSICodePage is used only where Windows is not.
/// </summary>
internal static class SystemCodePages
{
    public static int Ansi() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? (int)GetACP() : CultureInfo.CurrentCulture.TextInfo.ANSICodePage;

    public static int Oem() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? (int)GetOEMCP() : CultureInfo.CurrentCulture.TextInfo.OEMCodePage;

    [DllImport("kernel32.dll", ExactSpelling = true)]
    private static extern uint GetACP();

    [DllImport("kernel32.dll", ExactSpelling = true)]
    private static extern uint GetOEMCP();
}
