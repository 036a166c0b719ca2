// Init-only setters compile against netstandard2.0 once this type exists.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit
    {
    }
}
