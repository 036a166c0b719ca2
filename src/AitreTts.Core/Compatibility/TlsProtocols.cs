using System.Net;

namespace AitreTts.Core.Compatibility;

/// <summary>The TLS versions a Windows PowerShell 5.1 session offers, changed only where they cannot reach the APIs.</summary>
internal static class TlsProtocols
{
    // Numeric: .NET Framework 4.6.2's SecurityProtocolType has neither SystemDefault (4.7) nor Tls13 (4.8).
    private const SecurityProtocolType SystemDefault = 0;
    private const SecurityProtocolType Tls12 = (SecurityProtocolType)3072;
    private const SecurityProtocolType Tls13 = (SecurityProtocolType)12288;

    /// <summary>
    /// The setting to use for <paramref name="current"/>: unchanged when it is SystemDefault (the OS chooses, TLS 1.3
    /// included) or already offers TLS 1.2 or newer; with TLS 1.2 added when it is an explicit list of older
    /// protocols only (SSL 3, TLS 1.0, TLS 1.1: what .NET Framework offers without the SchUseStrongCrypto registry
    /// keys), which api.openai.com and Azure refuse. Nothing the session allows is removed.
    /// </summary>
    internal static SecurityProtocolType WithTls12WhereOnlyOlder(SecurityProtocolType current)
    {
        if (current == SystemDefault || (current & (Tls12 | Tls13)) != 0)
        {
            return current;
        }

        return current | Tls12;
    }
}
