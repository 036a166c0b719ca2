using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AitreTts.Tests.Module;

/// <summary>
/// The help matches the cmdlets: every parameter of the BUILT dll (read with MetadataLoadContext, as
/// <see cref="CmdletMetadataTests"/> does) is in the markdown and in the committed MAML, and the MAML documents nothing
/// the dll does not have, with the same types, positions and pipeline binding. A parameter added without help fails here.
/// </summary>
public sealed class HelpTests : IDisposable
{
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    // Parameters the help may describe before the code has them (empty: everything documented exists).
    private static readonly Dictionary<string, string[]> DocumentedAhead = new();

    private static readonly string HelpDirectory = Path.Combine(BuildPaths.RepositoryRoot, "docs", "en-US");

    private readonly MetadataLoadContext _context;
    private readonly Assembly _module;
    private readonly XDocument _maml;

    public HelpTests()
    {
        (_context, _module) = BuildPaths.LoadModule();
        _maml = XDocument.Load(Path.Combine(HelpDirectory, "AitreTts.dll-Help.xml"));
    }

    public void Dispose() => _context.Dispose();

    private sealed record CmdletInfo(string Name, Type Type, bool SupportsShouldProcess, IReadOnlyList<PropertyInfo> Parameters);

    private IReadOnlyList<CmdletInfo> Cmdlets() =>
        _module.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.Name == "CmdletAttribute")))
            .Where(x => x.Attribute is not null)
            .Select(x => new CmdletInfo(
                $"{x.Attribute!.ConstructorArguments[0].Value}-{x.Attribute.ConstructorArguments[1].Value}",
                x.Type,
                Named(x.Attribute, "SupportsShouldProcess") is true,
                x.Type.GetProperties().Where(p => ParameterAttributes(p).Any() && !ParameterAttributes(p).Any(a => Named(a, "DontShow") is true)).ToList()))
            .ToList();

    private static IEnumerable<CustomAttributeData> ParameterAttributes(PropertyInfo property) =>
        property.GetCustomAttributesData().Where(a => a.AttributeType.Name == "ParameterAttribute");

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    private IEnumerable<XElement> MamlCommands() => _maml.Root!.Elements(Command + "command");

    private XElement? MamlCommand(string name) =>
        MamlCommands().SingleOrDefault(c => (string?)c.Element(Command + "details")?.Element(Command + "name") == name);

    private static IEnumerable<XElement> MamlParameters(XElement command) =>
        command.Element(Command + "parameters")?.Elements(Command + "parameter") ?? Enumerable.Empty<XElement>();

    private static string Markdown(string cmdlet)
    {
        string path = Path.Combine(HelpDirectory, cmdlet + ".md");
        Assert.True(File.Exists(path), $"{cmdlet} has no help source: {path}");
        return File.ReadAllText(path).Replace("\r\n", "\n");
    }

    [Fact]
    public void TheMamlIsXmlInTheHelpItemsSchema()
    {
        Assert.Equal("helpItems", _maml.Root!.Name.LocalName);
        Assert.Equal("maml", (string?)_maml.Root.Attribute("schema"));
        Assert.NotEmpty(MamlCommands());
    }

    [Fact]
    public void EveryCmdletHasMarkdownAndMaml()
    {
        foreach (CmdletInfo cmdlet in Cmdlets())
        {
            Assert.Matches(new Regex($"^# {Regex.Escape(cmdlet.Name)}$", RegexOptions.Multiline), Markdown(cmdlet.Name));
            Assert.True(MamlCommand(cmdlet.Name) is not null, $"The MAML has no command:command for {cmdlet.Name}");
        }
    }

    [Fact]
    public void EveryParameterIsDocumentedInTheMarkdown()
    {
        var missing = new List<string>();
        foreach (CmdletInfo cmdlet in Cmdlets())
        {
            string markdown = Markdown(cmdlet.Name);
            missing.AddRange(cmdlet.Parameters
                .Where(p => !Regex.IsMatch(markdown, $"^### -{p.Name}$", RegexOptions.Multiline))
                .Select(p => $"{cmdlet.Name} -{p.Name}"));
        }

        Assert.True(missing.Count == 0, "Not in docs/en-US/<cmdlet>.md (### -Name): " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryParameterIsDocumentedInTheMaml()
    {
        var missing = new List<string>();
        foreach (CmdletInfo cmdlet in Cmdlets())
        {
            XElement command = MamlCommand(cmdlet.Name) ?? throw new Xunit.Sdk.XunitException($"No MAML for {cmdlet.Name}");
            var documented = MamlParameters(command).Select(p => (string)p.Element(Maml + "name")!).ToHashSet(StringComparer.Ordinal);
            missing.AddRange(cmdlet.Parameters.Where(p => !documented.Contains(p.Name)).Select(p => $"{cmdlet.Name} -{p.Name}"));
        }

        Assert.True(missing.Count == 0, "Not in the committed MAML (run ./docs/Build-Help.ps1): " + string.Join(", ", missing));
    }

    [Fact]
    public void TheMamlDocumentsNoParameterThatDoesNotExist()
    {
        var extra = new List<string>();
        IReadOnlyList<CmdletInfo> cmdlets = Cmdlets();
        foreach (XElement command in MamlCommands())
        {
            string name = (string)command.Element(Command + "details")!.Element(Command + "name")!;
            string[] ahead = DocumentedAhead.TryGetValue(name, out string[]? list) ? list : Array.Empty<string>();
            CmdletInfo? cmdlet = cmdlets.SingleOrDefault(c => c.Name == name);
            if (cmdlet is null)
            {
                if (!ahead.Contains("*"))
                {
                    extra.Add(name + " (no such cmdlet)");
                }

                continue;
            }

            foreach (string parameter in MamlParameters(command).Select(p => (string)p.Element(Maml + "name")!))
            {
                bool exists = cmdlet.Parameters.Any(p => p.Name == parameter)
                    || (cmdlet.SupportsShouldProcess && parameter is "WhatIf" or "Confirm");
                if (!exists && !ahead.Contains(parameter))
                {
                    extra.Add($"{name} -{parameter}");
                }
            }
        }

        Assert.True(extra.Count == 0, "The MAML documents what the dll does not have: " + string.Join(", ", extra));
    }

    [Fact]
    public void TheMamlAgreesWithTheParameterAttributes()
    {
        var wrong = new List<string>();
        foreach (CmdletInfo cmdlet in Cmdlets())
        {
            XElement command = MamlCommand(cmdlet.Name)!;
            foreach (PropertyInfo property in cmdlet.Parameters)
            {
                XElement? documented = MamlParameters(command).SingleOrDefault(p => (string?)p.Element(Maml + "name") == property.Name);
                if (documented is null)
                {
                    continue;
                }

                CustomAttributeData[] attributes = ParameterAttributes(property).ToArray();
                int position = attributes.Select(a => Named(a, "Position") is int p ? p : int.MinValue).Max();
                string expectedPosition = position == int.MinValue ? "named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture);
                bool mandatory = attributes.Any(a => Named(a, "Mandatory") is true);
                bool byValue = attributes.Any(a => Named(a, "ValueFromPipeline") is true);
                bool byName = attributes.Any(a => Named(a, "ValueFromPipelineByPropertyName") is true);
                bool wildcards = property.GetCustomAttributesData().Any(a => a.AttributeType.Name == "SupportsWildcardsAttribute");
                string pipeline = (string)documented.Attribute("pipelineInput")!;

                Check("position", expectedPosition, (string)documented.Attribute("position")!);
                Check("required", mandatory ? "true" : "false", (string)documented.Attribute("required")!);
                Check("globbing", wildcards ? "true" : "false", (string)documented.Attribute("globbing")!);
                Check("pipeline input ByValue", byValue.ToString(), pipeline.Contains("ByValue", StringComparison.Ordinal).ToString());
                Check("pipeline input ByPropertyName", byName.ToString(), pipeline.Contains("ByPropertyName", StringComparison.Ordinal).ToString());
                Check("type", property.PropertyType.Name, (string)documented.Element(Dev + "type")!.Element(Maml + "name")!);

                void Check(string what, string expected, string actual)
                {
                    if (!string.Equals(expected, actual, StringComparison.Ordinal))
                    {
                        wrong.Add($"{cmdlet.Name} -{property.Name}: {what} is '{actual}' in the help, '{expected}' in the dll");
                    }
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void EveryCmdletHasAtLeastThreeExamples()
    {
        foreach (XElement command in MamlCommands())
        {
            string name = (string)command.Element(Command + "details")!.Element(Command + "name")!;
            string markdown = Markdown(name);
            int section = markdown.IndexOf("\n## EXAMPLES\n", StringComparison.Ordinal);
            Assert.True(section >= 0, $"{name}.md has no EXAMPLES section");
            string examples = markdown.Substring(section, markdown.IndexOf("\n## PARAMETERS\n", section, StringComparison.Ordinal) - section);
            Assert.True(Regex.Matches(examples, @"^### Example \d+", RegexOptions.Multiline).Count >= 3, $"{name}.md has fewer than 3 examples");
            Assert.True(Regex.Matches(examples, "^```powershell$", RegexOptions.Multiline).Count >= 3, $"{name}.md has fewer than 3 example code blocks");

            XElement[] mamlExamples = command.Element(Command + "examples")!.Elements(Command + "example").ToArray();
            Assert.True(mamlExamples.Length >= 3, $"The MAML of {name} has fewer than 3 examples");
            Assert.All(mamlExamples, e => Assert.False(string.IsNullOrWhiteSpace((string?)e.Element(Dev + "code")), $"An example of {name} has no code"));
        }
    }

    [Fact]
    public void EveryCommandHasSynopsisDescriptionAndSyntax()
    {
        foreach (XElement command in MamlCommands())
        {
            string name = (string)command.Element(Command + "details")!.Element(Command + "name")!;
            Assert.False(string.IsNullOrWhiteSpace(command.Element(Command + "details")!.Element(Maml + "description")?.Value), $"{name} has no synopsis");
            Assert.False(string.IsNullOrWhiteSpace(command.Element(Maml + "description")?.Value), $"{name} has no description");
            Assert.NotEmpty(command.Element(Command + "syntax")!.Elements(Command + "syntaxItem"));
        }
    }

    [Fact]
    public void TheAboutTopicShipsAsText()
    {
        string topic = File.ReadAllText(Path.Combine(HelpDirectory, "about_AitreTts.help.txt"));
        Assert.StartsWith("TOPIC", topic, StringComparison.Ordinal);
        Assert.Contains("about_aitretts", topic, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(HelpDirectory, "about_AitreTts.md")));
    }

    [Theory]
    [InlineData("about_AitreTts.md")]
    [InlineData("about_AitreTts.help.txt")]
    [InlineData("AitreTts.dll-Help.xml")]
    public void ExamplesThatRedirectAProcessTurnOffShellExecute(string file)
    {
        // .NET Framework's ProcessStartInfo defaults to UseShellExecute = true, and Process.Start then refuses to
        // redirect a stream: an example copied into Windows PowerShell 5.1 would throw. PowerShell 7's default is false.
        string help = File.ReadAllText(Path.Combine(HelpDirectory, file));
        MatchCollection starts = Regex.Matches(help, @"\$(?<info>\w+)\.Redirect\w+\s*=\s*\$true");
        foreach (string info in starts.Select(m => m.Groups["info"].Value).Distinct())
        {
            Assert.Matches(@"\$" + info + @"\.UseShellExecute\s*=\s*\$false", help);
        }
    }
}
