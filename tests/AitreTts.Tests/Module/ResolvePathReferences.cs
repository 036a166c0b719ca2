using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace AitreTts.Tests.Module;

/// <summary>
/// Which assemblies the code on the AssemblyResolve path of a built module names, read from its IL with
/// System.Reflection.Metadata. The path starts at the given types' methods and follows every method of the module's
/// own assemblies they call, create a delegate for or name (lambdas and iterators included), across AitreTts.dll and
/// AitreTts.Core.dll. For each method it collects the assemblies of its signature, its locals, the declaring type's
/// fields, base type and interfaces, and every token its IL uses: what the JIT must load to compile the method.
/// </summary>
internal sealed class ResolvePathReferences : IDisposable
{
    private readonly Dictionary<string, Module> _modules = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<(string Assembly, MethodDefinitionHandle Method)> _visited = new();
    private readonly HashSet<(string Assembly, TypeDefinitionHandle Type)> _typesSeen = new();

    /// <summary>What each referenced assembly was referenced by ("Type.Method -> Assembly").</summary>
    public List<(string Assembly, string From)> References { get; } = new();

    public ResolvePathReferences(IEnumerable<string> ownAssemblies)
    {
        foreach (string file in ownAssemblies)
        {
            var module = new Module(file);
            _modules[module.Reader.GetString(module.Reader.GetAssemblyDefinition().Name)] = module;
        }
    }

    /// <summary>Follows every method of the types whose full name <paramref name="isStart"/> accepts.</summary>
    public void Walk(Func<string, bool> isStart)
    {
        foreach ((string name, Module module) in _modules)
        {
            foreach (TypeDefinitionHandle type in module.Reader.TypeDefinitions)
            {
                if (isStart(TypeName(module.Reader, type)))
                {
                    foreach (MethodDefinitionHandle method in module.Reader.GetTypeDefinition(type).GetMethods())
                    {
                        Visit(name, method);
                    }
                }
            }
        }
    }

    /// <summary>Follows the methods named <paramref name="method"/> of the type <paramref name="type"/>.</summary>
    public void WalkFrom(string type, string method)
    {
        foreach ((string name, Module module) in _modules)
        {
            MetadataReader reader = module.Reader;
            foreach (TypeDefinitionHandle handle in reader.TypeDefinitions.Where(t => TypeName(reader, t) == type))
            {
                foreach (MethodDefinitionHandle start in reader.GetTypeDefinition(handle).GetMethods().Where(m => reader.GetString(reader.GetMethodDefinition(m).Name) == method))
                {
                    Visit(name, start);
                }
            }
        }
    }

    /// <summary>Every member of another assembly the walked methods use, as "Namespace.Type::Member".</summary>
    public HashSet<string> MembersUsed { get; } = new(StringComparer.Ordinal);

    /// <summary>The methods followed, as "Type.Method".</summary>
    public IEnumerable<string> MethodsWalked => _visited.Select(v => MethodName(_modules[v.Assembly].Reader, v.Method));

    public void Dispose()
    {
        foreach (Module module in _modules.Values)
        {
            module.Dispose();
        }
    }

    private void Visit(string assembly, MethodDefinitionHandle handle)
    {
        if (!_visited.Add((assembly, handle)))
        {
            return;
        }

        Module module = _modules[assembly];
        MetadataReader reader = module.Reader;
        MethodDefinition method = reader.GetMethodDefinition(handle);
        string from = MethodName(reader, handle);
        var provider = new AssemblyCollector(this, assembly);
        Record(Union(method.DecodeSignature(provider, null)), from);
        VisitType(assembly, method.GetDeclaringType(), from);

        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }

        MethodBodyBlock body = module.PE.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            foreach (Referenced local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null))
            {
                Record(local, from);
            }
        }

        foreach (EntityHandle token in Tokens(body.GetILBytes() ?? Array.Empty<byte>()))
        {
            Record(Entity(assembly, token, provider), from);
        }
    }

    private void VisitType(string assembly, TypeDefinitionHandle handle, string from)
    {
        if (!_typesSeen.Add((assembly, handle)))
        {
            return;
        }

        MetadataReader reader = _modules[assembly].Reader;
        TypeDefinition type = reader.GetTypeDefinition(handle);
        var provider = new AssemblyCollector(this, assembly);
        if (!type.BaseType.IsNil)
        {
            Record(TypeEntity(assembly, type.BaseType, provider), from);
        }

        foreach (InterfaceImplementationHandle implementation in type.GetInterfaceImplementations())
        {
            Record(TypeEntity(assembly, reader.GetInterfaceImplementation(implementation).Interface, provider), from);
        }

        // Loading the type lays out its fields, static ones included.
        foreach (FieldDefinitionHandle field in type.GetFields())
        {
            Record(reader.GetFieldDefinition(field).DecodeSignature(provider, null), from);
        }

        if (!type.GetDeclaringType().IsNil)
        {
            VisitType(assembly, type.GetDeclaringType(), from);
        }
    }

    private Referenced Entity(string assembly, EntityHandle token, AssemblyCollector provider)
    {
        MetadataReader reader = _modules[assembly].Reader;
        switch (token.Kind)
        {
            case HandleKind.MethodDefinition:
                Visit(assembly, (MethodDefinitionHandle)token);
                return Referenced.None;
            case HandleKind.FieldDefinition:
                FieldDefinition field = reader.GetFieldDefinition((FieldDefinitionHandle)token);
                VisitType(assembly, field.GetDeclaringType(), "field " + reader.GetString(field.Name));
                return field.DecodeSignature(provider, null);
            case HandleKind.MethodSpecification:
                MethodSpecification specification = reader.GetMethodSpecification((MethodSpecificationHandle)token);
                return specification.DecodeSignature(provider, null).Aggregate(Entity(assembly, specification.Method, provider), (all, argument) => all.Union(argument));
            case HandleKind.MemberReference:
                MemberReference member = reader.GetMemberReference((MemberReferenceHandle)token);
                Referenced parent = member.Parent.Kind == HandleKind.MethodDefinition
                    ? Entity(assembly, member.Parent, provider)
                    : TypeEntity(assembly, member.Parent, provider);
                Referenced signature = member.GetKind() == MemberReferenceKind.Method
                    ? Union(member.DecodeMethodSignature(provider, null))
                    : member.DecodeFieldSignature(provider, null);
                FollowIntoOwnAssembly(reader, member, parent);
                if (member.Parent.Kind == HandleKind.TypeReference)
                {
                    MembersUsed.Add(TypeName(reader, (TypeReferenceHandle)member.Parent) + "::" + reader.GetString(member.Name));
                }

                return parent.Union(signature);
            case HandleKind.StandaloneSignature:
                return Union(reader.GetStandaloneSignature((StandaloneSignatureHandle)token).DecodeMethodSignature(provider, null));
            default:
                return TypeEntity(assembly, token, provider);
        }
    }

    // AitreTts.dll calls AitreTts.Core through member references: follow them into the methods of that name there (all
    // overloads: more than needed is safe).
    private void FollowIntoOwnAssembly(MetadataReader reader, MemberReference member, Referenced parent)
    {
        if (member.GetKind() != MemberReferenceKind.Method || member.Parent.Kind != HandleKind.TypeReference)
        {
            return;
        }

        string name = reader.GetString(member.Name);
        string typeName = TypeName(reader, (TypeReferenceHandle)member.Parent);
        foreach (string assembly in parent.Assemblies.Where(_modules.ContainsKey))
        {
            MetadataReader target = _modules[assembly].Reader;
            foreach (TypeDefinitionHandle type in target.TypeDefinitions.Where(t => TypeName(target, t) == typeName))
            {
                foreach (MethodDefinitionHandle method in target.GetTypeDefinition(type).GetMethods().Where(m => target.GetString(target.GetMethodDefinition(m).Name) == name))
                {
                    Visit(assembly, method);
                }
            }
        }
    }

    private Referenced TypeEntity(string assembly, EntityHandle handle, AssemblyCollector provider)
    {
        MetadataReader reader = _modules[assembly].Reader;
        return handle.Kind switch
        {
            HandleKind.TypeDefinition => provider.GetTypeFromDefinition(reader, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeReference => provider.GetTypeFromReference(reader, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeSpecification => reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, null),
            _ => Referenced.None,
        };
    }

    private void Record(Referenced referenced, string from)
    {
        foreach (string assembly in referenced.Assemblies)
        {
            References.Add((assembly, from));
        }
    }

    private static Referenced Union(MethodSignature<Referenced> signature) =>
        signature.ParameterTypes.Aggregate(signature.ReturnType, (all, p) => all.Union(p));

    private static IEnumerable<EntityHandle> Tokens(byte[] il) => IlTokens.In(il).Select(MetadataTokens.EntityHandle);

    private static string TypeName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        return type.GetDeclaringType().IsNil
            ? Qualified(reader.GetString(type.Namespace), name)
            : TypeName(reader, type.GetDeclaringType()) + "+" + name;
    }

    private static string TypeName(MetadataReader reader, TypeReferenceHandle handle)
    {
        TypeReference type = reader.GetTypeReference(handle);
        string name = reader.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? TypeName(reader, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : Qualified(reader.GetString(type.Namespace), name);
    }

    private static string Qualified(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    private static string MethodName(MetadataReader reader, MethodDefinitionHandle handle)
    {
        MethodDefinition method = reader.GetMethodDefinition(handle);
        return TypeName(reader, method.GetDeclaringType()) + "." + reader.GetString(method.Name);
    }

    /// <summary>The assemblies a type or signature names, outside the module's own.</summary>
    internal sealed record Referenced(ImmutableHashSet<string> Assemblies)
    {
        public static readonly Referenced None = new(ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase));

        public Referenced Union(Referenced other) => new(Assemblies.Union(other.Assemblies));

        public static Referenced Of(string assembly) => new(None.Assemblies.Add(assembly));
    }

    private sealed class AssemblyCollector : ISignatureTypeProvider<Referenced, object?>
    {
        private readonly ResolvePathReferences _walker;
        private readonly string _assembly;

        public AssemblyCollector(ResolvePathReferences walker, string assembly)
        {
            _walker = walker;
            _assembly = assembly;
        }

        public Referenced GetArrayType(Referenced elementType, ArrayShape shape) => elementType;

        public Referenced GetByReferenceType(Referenced elementType) => elementType;

        public Referenced GetFunctionPointerType(MethodSignature<Referenced> signature) => ResolvePathReferences.Union(signature);

        public Referenced GetGenericInstantiation(Referenced genericType, ImmutableArray<Referenced> typeArguments) =>
            typeArguments.Aggregate(genericType, (all, argument) => all.Union(argument));

        public Referenced GetGenericMethodParameter(object? genericContext, int index) => Referenced.None;

        public Referenced GetGenericTypeParameter(object? genericContext, int index) => Referenced.None;

        public Referenced GetModifiedType(Referenced modifier, Referenced unmodifiedType, bool isRequired) => modifier.Union(unmodifiedType);

        public Referenced GetPinnedType(Referenced elementType) => elementType;

        public Referenced GetPointerType(Referenced elementType) => elementType;

        public Referenced GetPrimitiveType(PrimitiveTypeCode typeCode) => Referenced.None;

        public Referenced GetSZArrayType(Referenced elementType) => elementType;

        public Referenced GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            _walker.VisitType(_assembly, handle, "type " + TypeName(reader, handle));
            return Referenced.None;
        }

        public Referenced GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            EntityHandle scope = reader.GetTypeReference(handle).ResolutionScope;
            while (scope.Kind == HandleKind.TypeReference)
            {
                scope = reader.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
            }

            return scope.Kind == HandleKind.AssemblyReference
                ? Referenced.Of(reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name))
                : Referenced.None;
        }

        public Referenced GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }

    private sealed class Module : IDisposable
    {
        private readonly FileStream _file;

        public Module(string path)
        {
            // Read whole and closed at once: no file of the build stays open or mapped while other builds run.
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            PE = new PEReader(_file, PEStreamOptions.PrefetchEntireImage);
            _file.Dispose();
            Reader = PE.GetMetadataReader();
        }

        public PEReader PE { get; }

        public MetadataReader Reader { get; }

        public void Dispose() => PE.Dispose();
    }
}
