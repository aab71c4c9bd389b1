using System.Text;
using DistCacheAkka.Cli;
using Spectre.Console;

return await CliApp.MainAsync(args, Console.In, CreateConsole());

static IAnsiConsole CreateConsole()
{
    var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
    if (Console.IsOutputRedirected)
        console.Profile.Width = 160; // tables for pipes and logs are not squeezed to 80 columns
    return console;
}

namespace DistCacheAkka.Cli
{
    /// <summary>
    /// distcache-cli: the pbm-style management CLI. <c>distcache-cli ADDRESS PALETTE COMMAND [args] [--json] [--token T]</c>
    /// runs one command; <c>distcache-cli ADDRESS</c> opens an interactive prompt. Exit codes: 0 ok, 1 the operation
    /// failed or the node is unreachable, 2 usage error.
    /// </summary>
    internal static class CliApp
    {
        public static async Task<int> MainAsync(string[] args, TextReader input, IAnsiConsole console)
        {
            var words = new List<string>();
            var json = false;
            var token = Environment.GetEnvironmentVariable("DISTCACHE_MGMT_TOKEN");
            var caPath = Environment.GetEnvironmentVariable("DISTCACHE_MGMT_CA");
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--help" or "-h":
                        console.WriteLine(Usage());
                        return ManagementConnection.Ok;
                    case "--json":
                        json = true;
                        break;
                    case "--token":
                        if (i + 1 >= args.Length)
                            return UsageFailure(console, "option --token needs a value");
                        token = args[++i];
                        break;
                    case "--ca":
                        if (i + 1 >= args.Length)
                            return UsageFailure(console, "option --ca needs a value");
                        caPath = args[++i];
                        break;
                    default:
                        words.Add(args[i]);
                        break;
                }
            }

            if (words.Count == 0)
                return UsageFailure(console, "missing the node's management address (host:port, e.g. 127.0.0.1:9110)");
            var address = ManagementConnection.NormalizeAddress(words[0]);
            if (address is null)
                return UsageFailure(console, $"'{words[0]}' is not a management address; give host:port, e.g. 127.0.0.1:9110");

            System.Security.Cryptography.X509Certificates.X509Certificate2? ca = null;
            if (!string.IsNullOrEmpty(caPath))
            {
                try
                {
                    ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
                {
                    return UsageFailure(console, $"--ca '{caPath}' is not a readable certificate (PEM or DER): {e.Message}");
                }
            }

            using var connection = new ManagementConnection(address, token, TimeSpan.FromSeconds(30), ca);
            if (words.Count == 1)
                return await new Shell(connection, console, input, json).RunAsync();
            return await ExecuteAsync(connection, words.Skip(1).ToList(), json, console);
        }

        /// <summary>Parses and runs one command, prints its reply or error, and returns its exit code.</summary>
        public static async Task<int> ExecuteAsync(ManagementConnection connection, IReadOnlyList<string> words, bool json, IAnsiConsole console)
        {
            switch (InvocationParser.Parse(words))
            {
                case UsageProblem problem:
                    return UsageFailure(console, problem.Message, full: false);
                case Invocation invocation:
                    var outcome = await connection.RunAsync(invocation);
                    if (outcome.Error is not null)
                    {
                        if (json && outcome.Reply is { } errorReply)
                            console.WriteLine(errorReply.GetRawText());
                        Console.Error.WriteLine($"error: {outcome.Error}");
                        return outcome.ExitCode;
                    }

                    if (outcome.Reply is { } reply)
                    {
                        if (json)
                            console.WriteLine(reply.GetRawText());
                        else
                            new Renderer(console).Render(invocation.Spec, reply);
                    }

                    return outcome.ExitCode;
                default:
                    return ManagementConnection.UsageError;
            }
        }

        private static int UsageFailure(IAnsiConsole console, string message, bool full = true)
        {
            Console.Error.WriteLine($"error: {message}");
            if (full)
                Console.Error.WriteLine(Usage());
            return ManagementConnection.UsageError;
        }

        public static string Usage() => $"""
            Usage:
              distcache-cli ADDRESS PALETTE COMMAND [ARGS] [--json] [--token TOKEN] [--ca FILE]
              distcache-cli ADDRESS                       interactive prompt (help, history, !n, exit)

            ADDRESS is a node's management endpoint, host:port (default port 9110), or https://host:port for a
            node with TLS on (distcache.tls).
            --json   print the node's JSON reply instead of tables
            --token  the node's access token (or set DISTCACHE_MGMT_TOKEN)
            --ca     the CA (PEM or DER) an https:// node's certificate must chain to (or set DISTCACHE_MGMT_CA)
            Exit codes: 0 ok, 1 the operation failed or the node is unreachable, 2 usage error.

            {CommandList()}
            """;

        public static string CommandList()
        {
            var text = new StringBuilder("Commands:\n");
            foreach (var spec in CommandTable.All)
                text.AppendLine($"  {spec.Usage,-62} {spec.Summary}");
            return text.ToString().TrimEnd();
        }
    }
}
