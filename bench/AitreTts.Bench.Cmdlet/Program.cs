using System;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Bench.Cmdlet;

/// <summary>
/// <c>AitreTts.Bench.Cmdlet 6|7|8 &lt;AitreTts.psd1&gt; &lt;work folder&gt;</c>: runs one cmdlet-level case and prints its row
/// as <c>RESULT {json}</c>. AitreTts.Bench starts it with a private HOME and configuration folders (CmdletCases.cs).
/// </summary>
internal static class Program
{
    public const string ApiKey = "tk-bench-0000000000000000";

    private static async Task<int> Main(string[] args)
    {
        if (args.Length != 3 || (args[0] != "6" && args[0] != "7" && args[0] != "8"))
        {
            Console.Error.WriteLine("usage: AitreTts.Bench.Cmdlet 6|7|8 <path to AitreTts.psd1> <work folder>");
            return 2;
        }

        string manifest = Path.GetFullPath(args[1]);
        string workRoot = args[2];
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions()).ConfigureAwait(false);

        // The module's normal means: the environment of the default profile. The settings store itself lives in the
        // private folders the parent gave this process, so a developer's own profile is neither read nor changed.
        Environment.SetEnvironmentVariable("AITRE_API_KEY", ApiKey);
        Environment.SetEnvironmentVariable("AITRE_BASE_URL", server.BaseUrl.AbsoluteUri.TrimEnd('/'));
        using ModuleHost host = ModuleHost.Open(manifest);
        ResultRow row = args[0] switch
        {
            "6" => ParallelDocumentsCase.Run(host, server, workRoot),
            "7" => await CmdletOverheadCase.RunAsync(host, server, workRoot).ConfigureAwait(false),
            _ => await CallPerDocumentCase.RunAsync(host, server, workRoot).ConfigureAwait(false),
        };
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(row));
        return 0;
    }
}
