// The few netstandard2.0 APIs the core uses that .NET Framework 4.6.2 lacks (they arrived in 4.7.1), for the net462
// build Windows PowerShell 5.1 loads. Each behaves as the 4.7.1+ member does on Windows, the only OS .NET Framework has,
// and uses that member itself where the running Framework has it. C# binds a real member before an extension, so these
// are never used by the netstandard2.0 build, and they vanish from the net462 build if it ever targets 4.7.1.
#if NETFRAMEWORK
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Reflection;

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
        public static string FrameworkDescription => ".NET Framework " + Environment.Version;

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
            /// HttpClientHandler.DefaultProxyCredentials where the running Framework has it (4.7.1+); on 4.6.2-4.7.0 the
            /// same effect: the system proxy, with these credentials. GetSystemWebProxy returns a new object, so the
            /// session's own proxy is not changed.
            /// </summary>
            public ICredentials? DefaultProxyCredentials
            {
                set
                {
                    if (SetIfPresent(handler, "DefaultProxyCredentials", value))
                    {
                        return;
                    }

                    IWebProxy system = WebRequest.GetSystemWebProxy();
                    system.Credentials = value;
                    handler.Proxy = system;
                }
            }

            /// <summary>
            /// HttpClientHandler.MaxConnectionsPerServer where the running Framework has it (4.7.1+). On 4.6.2-4.7.0 a
            /// handler has no limit of its own, only the process's ServicePointManager.DefaultConnectionLimit (2 in
            /// powershell.exe), which is raised to this value, never lowered. A host contacted earlier in the session
            /// keeps the limit it was given: HttpClientCache.RaiseServicePointLimit raises the endpoint's own.
            /// </summary>
            public int MaxConnectionsPerServer
            {
                set
                {
                    if (!SetIfPresent(handler, "MaxConnectionsPerServer", value) && ServicePointManager.DefaultConnectionLimit < value)
                    {
                        ServicePointManager.DefaultConnectionLimit = value;
                    }
                }
            }
        }

        private static bool SetIfPresent(HttpClientHandler handler, string property, object? value)
        {
            PropertyInfo? setting = typeof(HttpClientHandler).GetProperty(property, BindingFlags.Public | BindingFlags.Instance);
            if (setting?.SetMethod is null)
            {
                return false;
            }

            try
            {
                setting.SetValue(handler, value);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                // What the property itself throws (PlatformNotSupportedException, ...), as a direct call would.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            }

            return true;
        }
    }
}
#endif
