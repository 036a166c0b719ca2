using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AitreTts.Core;
using Xunit;

namespace AitreTts.Tests.Module;

/// <summary>
/// The core's namespaces form layers: no namespace uses, directly or through others, one that uses it. A cycle is
/// how a rule ends up owned twice (each side grows its own copy to avoid the other), so it fails here, with the
/// members that close it. The references are read from the compiled assembly, IL included, because the compiler
/// lets a namespace use its parent's types without a <c>using</c> and a search of the source misses those.
/// </summary>
public sealed class NamespaceLayerTests
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void TheCoresNamespacesHaveNoCycle()
    {
        Dictionary<string, Dictionary<string, SortedSet<string>>> uses = NamespaceUses(typeof(SpeechRequest).Assembly);

        List<List<string>> cycles = StronglyConnected(uses).Where(component => component.Count > 1).ToList();

        Assert.True(cycles.Count == 0, string.Join(Environment.NewLine, cycles.Select(cycle => Describe(cycle, uses))));
    }

    [Fact]
    public void TheCheckSeesTheUsesTheLayersAreBuiltOn()
    {
        // A reader that found nothing would find no cycle either: these uses, from signatures and method bodies
        // alike, are the layering itself and must be seen.
        Dictionary<string, Dictionary<string, SortedSet<string>>> uses = NamespaceUses(typeof(SpeechRequest).Assembly);

        Assert.Contains("AitreTts.Core.Errors", uses["AitreTts.Core.Http"].Keys);
        Assert.Contains("AitreTts.Core.Cache", uses["AitreTts.Core.Synthesis"].Keys);
        Assert.Contains("AitreTts.Core.Security", uses["AitreTts.Core.Configuration"].Keys);
    }

    /// <summary>For each namespace, the namespaces its types use, each with the "Type -> Type" pairs that use it.</summary>
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> NamespaceUses(Assembly assembly)
    {
        var uses = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes())
        {
            Type owner = Outermost(type);
            if (owner.Namespace is not { } from || !from.StartsWith("AitreTts.Core", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Type used in Referenced(type).Select(Outermost).Where(t => t.Assembly == assembly))
            {
                if (used.Namespace is { } to && to != from)
                {
                    if (!uses.TryGetValue(from, out Dictionary<string, SortedSet<string>>? targets))
                    {
                        uses[from] = targets = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
                    }

                    if (!targets.TryGetValue(to, out SortedSet<string>? pairs))
                    {
                        targets[to] = pairs = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    pairs.Add(owner.Name + " -> " + used.Name);
                }
            }
        }

        return uses;
    }

    private static Type Outermost(Type type)
    {
        while (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            type = type.GetGenericTypeDefinition();
        }

        while (type.DeclaringType is { } declaring)
        {
            type = declaring;
        }

        return type;
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }

            found.Add(t);
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (Type argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        foreach (Type contract in type.GetInterfaces())
        {
            Add(contract);
        }

        foreach (FieldInfo field in type.GetFields(Everything))
        {
            Add(field.FieldType);
        }

        foreach (PropertyInfo property in type.GetProperties(Everything))
        {
            Add(property.PropertyType);
        }

        foreach (MethodBase method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo withResult)
            {
                Add(withResult.ReturnType);
            }

            foreach (ParameterInfo parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            if (method.GetMethodBody() is not { } body)
            {
                continue;
            }

            foreach (LocalVariableInfo local in body.LocalVariables)
            {
                Add(local.LocalType);
            }

            foreach (MemberInfo member in Tokens(method, body.GetILAsByteArray()!))
            {
                Add(member as Type ?? member.DeclaringType);
                Add((member as FieldInfo)?.FieldType);
                Add((member as MethodInfo)?.ReturnType);
            }
        }

        return found;
    }

    /// <summary>The members and types that the IL of <paramref name="method"/> names through its tokens.</summary>
    private static IEnumerable<MemberInfo> Tokens(MethodBase method, byte[] il)
    {
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (int token in IlTokens.In(il))
        {
            MemberInfo? member = null;
            try
            {
                member = method.Module.ResolveMember(token, typeArguments, methodArguments);
            }
            catch (ArgumentException)
            {
                // A signature, or a member of a generic instantiation this context cannot close; its declaring type
                // is named elsewhere in the same body or signature.
            }

            if (member is not null)
            {
                yield return member;
            }
        }
    }

    /// <summary>Tarjan's strongly connected components: each is a set of namespaces that all reach each other.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, SortedSet<string>>> uses)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (string next in uses.TryGetValue(node, out var targets) ? targets.Keys : Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (string node in uses.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    private static string Describe(List<string> cycle, Dictionary<string, Dictionary<string, SortedSet<string>>> uses) =>
        "These namespaces use each other: " + string.Join(", ", cycle.OrderBy(n => n, StringComparer.Ordinal)) + Environment.NewLine +
        string.Join(Environment.NewLine, cycle.SelectMany(from => uses[from]
            .Where(target => cycle.Contains(target.Key))
            .Select(target => $"  {from} -> {target.Key}: {string.Join("; ", target.Value.Take(5))}")));
}
