// The few netstandard2.0 APIs the core uses that .NET Framework 4.6.2 lacks (they arrived in 4.7.1), for the net462
// build Windows PowerShell 5.1 loads. Each behaves as the 4.7.1+ member does on Windows, the only OS .NET Framework has.
#if NETFRAMEWORK
using System.Collections.Generic;
using System.Net;
using System.Net.Http;

namespace System.Runtime.InteropServices
{
    internal enum OSPlatform
    {
        Windows,
        Linux,
        OSX,
    }

    internal static class RuntimeInformation
    {
        public static bool IsOSPlatform(OSPlatform platform) => platform == OSPlatform.Windows;
    }
}

namespace System.Linq
{
    internal static class EnumerableCompatibility
    {
        public static IEnumerable<T> Append<T>(this IEnumerable<T> source, T element)
        {
            foreach (T item in source)
            {
                yield return item;
            }

            yield return element;
        }
    }
}

namespace AitreTts.Core.Http
{
    internal static class HttpClientHandlerCompatibility
    {
        extension(HttpClientHandler handler)
        {
            /// <summary>
            /// What HttpClientHandler.DefaultProxyCredentials does from .NET Framework 4.7.1 on: the system proxy, with
            /// these credentials. GetSystemWebProxy returns a new object, so the session's own proxy is not changed.
            /// </summary>
            public ICredentials? DefaultProxyCredentials
            {
                set
                {
                    IWebProxy system = WebRequest.GetSystemWebProxy();
                    system.Credentials = value;
                    handler.Proxy = system;
                }
            }
        }
    }
}
#endif
