using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace AitreTts.Bench.Cmdlet;

/// <summary>
/// One runspace in this process with the built module imported as a user imports it (Import-Module on the
/// manifest), and a way to pipe a batch of strings into Invoke-TextToSpeech there.
/// </summary>
internal sealed class ModuleHost : IDisposable
{
    // What a user types: each pipeline string is one document. Extra parameters are splatted, so every side runs the
    // same script text and differs only in its parameters.
    private const string BatchScript = "param([string[]] $Texts, [string] $Directory, [hashtable] $Extra) $Texts | Invoke-TextToSpeech -OutputDirectory $Directory @Extra";

    private readonly Runspace _runspace;

    private ModuleHost(Runspace runspace, string moduleFolder, string coreLocation, string cmdletLocation)
    {
        _runspace = runspace;
        ModuleFolder = moduleFolder;
        CoreLocation = coreLocation;
        CmdletLocation = cmdletLocation;
    }

    public string ModuleFolder { get; }

    /// <summary>Where the loaded AitreTts.Core.dll came from: must be the module's own copy.</summary>
    public string CoreLocation { get; }

    public string CmdletLocation { get; }

    public static ModuleHost Open(string manifestPath)
    {
        InitialSessionState state = InitialSessionState.CreateDefault();
        if (OperatingSystem.IsWindows())
        {
            state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        }

        Runspace runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        using (PowerShell import = PowerShell.Create(runspace))
        {
            import.AddCommand("Import-Module").AddParameter("Name", manifestPath).AddParameter("ErrorAction", "Stop");
            import.Invoke();
        }

        // The module's assemblies as the runspace sees them. Exactly one AitreTts.Core may be loaded, from the
        // module's folder: a second copy, or one from elsewhere, would mean the figures are not the module's.
        using PowerShell probe = PowerShell.Create(runspace);
        probe.AddScript("[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'AitreTts', 'AitreTts.Core' } | ForEach-Object { $_.GetName().Name + '|' + $_.Location }");
        string[] loaded = probe.Invoke().Select(o => o.ToString()).ToArray();
        string moduleFolder = Path.GetFullPath(Path.GetDirectoryName(manifestPath)!);
        string Location(string name)
        {
            string[] found = loaded.Where(l => l.StartsWith(name + "|", StringComparison.Ordinal)).Select(l => l.Substring(name.Length + 1)).ToArray();
            if (found.Length != 1 || !Path.GetFullPath(found[0]).StartsWith(moduleFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Expected one {name}.dll loaded from {moduleFolder}, found: {string.Join(", ", found)}");
            }

            return found[0];
        }

        return new ModuleHost(runspace, moduleFolder, Location("AitreTts.Core"), Location("AitreTts"));
    }

    /// <summary>
    /// Pipes <paramref name="texts"/> into Invoke-TextToSpeech with <paramref name="extra"/> parameters. Returns the
    /// FileInfo objects (with the cmdlet's note properties) in the order the cmdlet wrote them; any error record throws.
    /// </summary>
    public IReadOnlyList<PSObject> Speak(IReadOnlyList<string> texts, string directory, IDictionary? extra = null)
    {
        using PowerShell shell = PowerShell.Create(_runspace);
        shell.AddScript(BatchScript)
            .AddParameter("Texts", texts.ToArray())
            .AddParameter("Directory", directory)
            .AddParameter("Extra", extra ?? new Hashtable());
        var files = shell.Invoke().Where(o => o?.BaseObject is FileInfo).ToList();
        if (shell.HadErrors || shell.Streams.Error.Count > 0)
        {
            throw new InvalidOperationException("Invoke-TextToSpeech reported errors: " + string.Join("; ", shell.Streams.Error.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        }

        return files;
    }

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="parameters"/> in the module's runspace and returns what it
    /// wrote; any error record throws.
    /// </summary>
    public IReadOnlyList<PSObject> Run(string script, IDictionary parameters)
    {
        using PowerShell shell = PowerShell.Create(_runspace);
        shell.AddScript(script).AddParameters(parameters);
        var output = shell.Invoke().Where(o => o is not null).ToList();
        if (shell.HadErrors || shell.Streams.Error.Count > 0)
        {
            throw new InvalidOperationException("The script reported errors: " + string.Join("; ", shell.Streams.Error.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        }

        return output;
    }

    public void Dispose() => _runspace.Dispose();
}
