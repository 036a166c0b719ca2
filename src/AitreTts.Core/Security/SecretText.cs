using System;
using System.Runtime.InteropServices;
using System.Security;

namespace AitreTts.Core.Security;

/// <summary>Moves API keys between <see cref="SecureString"/> and the plain text that a header needs, and masks them for display.</summary>
internal static class SecretText
{
    /// <summary>Copies a plain string into a read-only <see cref="SecureString"/>.</summary>
    public static SecureString ToSecureString(string plainText)
    {
        var secure = new SecureString();
        foreach (char c in plainText)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>
    /// The plain text of a key. Call it only where the value leaves the process on purpose (a header, an
    /// encrypted file) and never keep the result longer than that.
    /// </summary>
    public static string Reveal(SecureString secure)
    {
        IntPtr pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            return Marshal.PtrToStringUni(pointer, secure.Length);
        }
        finally
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }

    /// <summary>
    /// A display form that lets a user tell two keys apart without revealing them: the first three and the last
    /// four characters of a long key (as OpenAI's dashboard shows them), stars for anything short.
    /// </summary>
    public static string Mask(SecureString? secure) => secure is null || secure.Length == 0 ? string.Empty : Mask(Reveal(secure));

    /// <summary>The display form of a secret held as text, such as a credential header's value.</summary>
    public static string Mask(string plain) => plain.Length == 0 ? string.Empty : plain.Length < 16 ? "********" : plain.Substring(0, 3) + "..." + plain.Substring(plain.Length - 4);
}
