using System.Text;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>What the command line asked for.</summary>
internal abstract record Command;

internal sealed record RunNode(string? ConfigFile, string OverridesHocon) : Command;

internal sealed record RunDemo(IReadOnlyList<string> Args) : Command;

internal sealed record ShowHelp : Command;

internal sealed record MakeDevCertificates(string Directory, string? Password, int Days) : Command;

internal sealed record UsageError(string Message) : Command;

/// <summary>
/// Parses CacheNode's command line: <c>[demo ...] | [--role seed|worker] [--host H] [--port P] [--seed host:port]...
/// [--mgmt-port P] [--otlp-endpoint URL] [--config file]</c>. Flags become HOCON overrides of <c>distcache.node.*</c>.
/// </summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage:
          CacheNode [--role seed|worker] [--host HOST] [--port PORT] [--seed HOST:PORT]... [--mgmt-port PORT]
                    [--otlp-endpoint URL] [--config FILE]
                    [--bootstrap config|kubernetes-api [--contact HOST:PORT]... [--bootstrap-port PORT] [--required-contacts N]]
          CacheNode demo [--keep-running]
          CacheNode dev-certs --out DIR [--password PASSWORD] [--days N]   a development CA and certificates for TLS

        Options:
          --role       seed (default) or worker; both host shards. A seed without --seed forms a new cluster.
          --host       address to bind and advertise (default 127.0.0.1)
          --port       remoting port, 0 for any free port (default 4053)
          --seed       a seed node as host:port; repeat for several (required for workers without --bootstrap)
          --mgmt-port  management endpoint port (default 9110)
          --otlp-endpoint  push metrics to this OTLP collector, e.g. http://127.0.0.1:4317 (default: none;
                       Prometheus text is always on the management endpoint at /metrics)
          --config     a HOCON file layered over hocon/ (flags and DISTCACHE_* variables still win)
          --tls-cert   this node's certificate and key (PKCS#12 .pfx): turns on mutual TLS (distcache.tls)
          --tls-cert-password  the .pfx password (or DISTCACHE_TLS__CERTIFICATE_PASSWORD)
          --tls-ca     the CA (PEM or DER) every member's and client's certificate must chain to
          --bootstrap  form or join the cluster through discovery instead of --seed (distcache.bootstrap):
                       'config' (the --contact list) or 'kubernetes-api' (pods labelled app=distcache)
          --contact    a node's bootstrap endpoint as host:port; repeat for every node (config discovery)
          --bootstrap-port  this node's bootstrap endpoint port (default 8558; distinct per node on one host)
          --required-contacts  contact points that must answer before a new cluster forms (default 2)
        """;

    public static Command Parse(IReadOnlyList<string> args)
    {
        if (args.Count > 0 && args[0] == "demo")
            return new RunDemo(args.Skip(1).ToArray());
        if (args.Count > 0 && args[0] == "dev-certs")
            return ParseDevCertificates(args.Skip(1).ToArray());

        string? configFile = null;
        var hocon = new StringBuilder();
        var seeds = new List<string>();
        var contacts = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag is "--help" or "-h")
                return new ShowHelp();
            if (!flag.StartsWith("--", StringComparison.Ordinal))
                return new UsageError($"Unexpected argument '{flag}'. Flags start with --; the commands are 'demo' and 'dev-certs'.");
            if (i + 1 >= args.Count)
                return new UsageError($"Option {flag} needs a value.");
            var value = args[++i];
            switch (flag)
            {
                case "--role":
                    if (value is not ("seed" or "worker"))
                        return new UsageError($"--role is '{value}'; it must be 'seed' or 'worker'.");
                    hocon.AppendLine($"distcache.node.role = {value}");
                    break;
                case "--host":
                    if (Uri.CheckHostName(value) == UriHostNameType.Unknown)
                        return new UsageError($"--host is '{value}'; it must be a host name or an IP address.");
                    hocon.AppendLine($"distcache.node.host = \"{value}\"");
                    break;
                case "--port":
                    if (!TryPort(value, allowZero: true, out var port))
                        return new UsageError($"--port is '{value}'; it must be a number between 0 and 65535.");
                    hocon.AppendLine($"distcache.node.port = {port}");
                    break;
                case "--mgmt-port":
                    if (!TryPort(value, allowZero: true, out var mgmt))
                        return new UsageError($"--mgmt-port is '{value}'; it must be a number between 0 and 65535.");
                    hocon.AppendLine($"distcache.management.port = {mgmt}");
                    break;
                case "--otlp-endpoint":
                    if (!Uri.TryCreate(value, UriKind.Absolute, out var otlp) || otlp.Scheme is not ("http" or "https"))
                        return new UsageError($"--otlp-endpoint is '{value}'; it must be an http:// or https:// URL, e.g. http://127.0.0.1:4317.");
                    hocon.AppendLine($"distcache.telemetry.otlp.endpoint = \"{otlp}\"");
                    break;
                case "--seed":
                    try
                    {
                        var (host, seedPort) = NodeSettings.ParseEndpoint("--seed", value);
                        seeds.Add($"\"{host}:{seedPort}\"");
                    }
                    catch (Messages.Settings.DistCacheConfigurationException e)
                    {
                        return new UsageError(e.Message);
                    }

                    break;
                case "--bootstrap":
                    if (value is not ("config" or "kubernetes-api"))
                        return new UsageError($"--bootstrap is '{value}'; it must be 'config' or 'kubernetes-api'.");
                    hocon.AppendLine($"distcache.bootstrap.enabled = on\ndistcache.bootstrap.method = {value}");
                    break;
                case "--contact":
                    try
                    {
                        var (host, contactPort) = NodeSettings.ParseEndpoint("--contact", value, "a contact point");
                        contacts.Add(Quote($"{host}:{contactPort}"));
                    }
                    catch (Messages.Settings.DistCacheConfigurationException e)
                    {
                        return new UsageError(e.Message);
                    }

                    break;
                case "--bootstrap-port":
                    if (!TryPort(value, allowZero: false, out var bootstrapPort))
                        return new UsageError($"--bootstrap-port is '{value}'; it must be a number between 1 and 65535.");
                    hocon.AppendLine($"distcache.bootstrap.port = {bootstrapPort}");
                    break;
                case "--required-contacts":
                    if (!int.TryParse(value, out var required) || required is < 1 or > 1000)
                        return new UsageError($"--required-contacts is '{value}'; it must be a number between 1 and 1000.");
                    hocon.AppendLine($"distcache.bootstrap.required-contact-points = {required}");
                    break;
                case "--tls-cert":
                    if (!File.Exists(value))
                        return new UsageError($"--tls-cert names '{value}', which does not exist.");
                    hocon.AppendLine($"distcache.tls.enabled = on\ndistcache.tls.certificate-path = {Quote(value)}");
                    break;
                case "--tls-cert-password":
                    hocon.AppendLine($"distcache.tls.certificate-password = {Quote(value)}");
                    break;
                case "--tls-ca":
                    if (!File.Exists(value))
                        return new UsageError($"--tls-ca names '{value}', which does not exist.");
                    hocon.AppendLine($"distcache.tls.ca-certificate-path = {Quote(value)}");
                    break;
                case "--config":
                    if (!File.Exists(value))
                        return new UsageError($"--config names '{value}', which does not exist.");
                    configFile = value;
                    break;
                default:
                    return new UsageError($"Unknown option {flag}.");
            }
        }

        if (seeds.Count > 0)
            hocon.AppendLine($"distcache.node.seeds = [{string.Join(", ", seeds)}]");
        if (contacts.Count > 0)
            hocon.AppendLine($"distcache.bootstrap.contact-points = [{string.Join(", ", contacts)}]");
        return new RunNode(configFile, hocon.ToString());
    }

    private static Command ParseDevCertificates(IReadOnlyList<string> args)
    {
        string? directory = null, password = null;
        var days = 365;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag is "--help" or "-h")
                return new UsageError(DevCertificates.Usage);
            if (i + 1 >= args.Count)
                return new UsageError($"Option {flag} needs a value.");
            var value = args[++i];
            switch (flag)
            {
                case "--out":
                    directory = value;
                    break;
                case "--password":
                    password = value;
                    break;
                case "--days":
                    if (!int.TryParse(value, out days) || days is < 1 or > 3650)
                        return new UsageError($"--days is '{value}'; it must be a number of days between 1 and 3650.");
                    break;
                default:
                    return new UsageError($"Unknown option {flag} for dev-certs.");
            }
        }

        return directory is null ? new UsageError("dev-certs needs --out DIR.") : new MakeDevCertificates(directory, password, days);
    }

    /// <summary>HOCON from DISTCACHE_* variables: DISTCACHE_NODE__PORT=4060 → distcache.node.port = "4060".</summary>
    public static string FromEnvironment(System.Collections.IDictionary variables)
    {
        var hocon = new StringBuilder();
        foreach (System.Collections.DictionaryEntry variable in variables)
        {
            var name = (string)variable.Key;
            if (!name.StartsWith("DISTCACHE_", StringComparison.Ordinal) || name.Length == "DISTCACHE_".Length)
                continue;
            var path = "distcache." + name["DISTCACHE_".Length..].ToLowerInvariant().Replace("__", ".").Replace('_', '-');
            var value = ((string?)variable.Value ?? "").Trim();
            // Lists (seeds, contact points) are written as comma-separated values.
            var rendered = path.EndsWith(".seeds", StringComparison.Ordinal) || path.EndsWith(".contact-points", StringComparison.Ordinal)
                ? "[" + string.Join(", ", value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Quote)) + "]"
                : Quote(value);
            hocon.AppendLine($"{path} = {rendered}");
        }

        return hocon.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static bool TryPort(string value, bool allowZero, out int port) =>
        int.TryParse(value, out port) && port <= 65535 && (port > 0 || (allowZero && port == 0));
}
