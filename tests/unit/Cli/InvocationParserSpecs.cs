using DistCacheAkka.CacheNode.Management;
using DistCacheAkka.Cli;

namespace DistCacheAkka.Tests.Unit.Cli;

// The CLI's command-line grammar: palette and command resolved against the command table, positional arguments and
// options checked before any request is sent, unknown names answered with the closest matches; and the table agrees
// with the routes the node serves.
public class InvocationParserSpecs
{
    [Fact]
    public void Should_parse_a_command_with_arguments_and_options()
    {
        var invocation = Assert.IsType<Invocation>(InvocationParser.Parse(["cache", "set", "user:1", "hello world", "--ttl", "30s", "--consistency", "strong"]));

        Assert.Equal("/cache/set", invocation.Spec.Path);
        Assert.Equal(["user:1", "hello world"], invocation.Arguments);
        Assert.Equal("30s", invocation.Options["ttl"]);
        Assert.Equal("strong", invocation.Options["consistency"]);
    }

    [Fact]
    public void Should_accept_leave_without_an_address()
    {
        var invocation = Assert.IsType<Invocation>(InvocationParser.Parse(["cluster", "leave"]));
        Assert.Empty(invocation.Arguments);
    }

    [Theory]
    [InlineData(new[] { "cach", "stats" }, "unknown palette 'cach' (did you mean 'cache'?)")]
    [InlineData(new[] { "cache", "delete" }, "unknown command 'cache delete'")]
    [InlineData(new[] { "cache" }, "missing command; 'cache' has: stats, get, set")]
    [InlineData(new[] { "cache", "get" }, "missing <key>; usage: cache get <key> [--consistency CONSISTENCY]")]
    [InlineData(new[] { "cache", "set", "k" }, "missing <value>")]
    [InlineData(new[] { "cache", "get", "k", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "cache", "get", "k", "--ttl", "3s" }, "'cache get' has no option --ttl")]
    [InlineData(new[] { "cache", "get", "k", "--consistency" }, "option --consistency needs a value")]
    public void Should_report_usage_problems_with_the_closest_matches(string[] words, string expected)
    {
        var problem = Assert.IsType<UsageProblem>(InvocationParser.Parse(words));
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void Should_fix_the_unknown_command_message_for_a_typo()
    {
        var problem = Assert.IsType<UsageProblem>(InvocationParser.Parse(["cluster", "shwo"]));
        Assert.Equal("unknown command 'cluster shwo' (did you mean 'show'?); 'cluster' has: show, status, leader, join, leave, down, down-unreachable", problem.Message);
    }

    [Theory]
    [InlineData("cache set k \"two words\"", new[] { "cache", "set", "k", "two words" })]
    [InlineData("  cluster   show  ", new[] { "cluster", "show" })]
    [InlineData("cache set k ''", new[] { "cache", "set", "k", "" })]
    public void Should_split_interactive_lines_keeping_quoted_spaces(string line, string[] words) =>
        Assert.Equal(words, InvocationParser.Split(line));

    [Theory]
    [InlineData("127.0.0.1:9110", "127.0.0.1:9110")]
    [InlineData("http://localhost:9110/", "localhost:9110")]
    [InlineData("https://127.0.0.1:9110/", "https://127.0.0.1:9110")]
    [InlineData("https://127.0.0.1", null)]
    [InlineData("127.0.0.1", null)]
    [InlineData("127.0.0.1:0", null)]
    [InlineData("cluster", null)]
    public void Should_normalize_management_addresses(string text, string? expected) =>
        Assert.Equal(expected, ManagementConnection.NormalizeAddress(text));

    [Fact]
    public void Should_agree_with_the_routes_the_node_serves()
    {
        var cli = CommandTable.All.Select(c => $"{c.Method} {c.Palette}/{c.Name}").Order().ToList();
        var node = ManagementRoutes.Palettes.SelectMany(p => p.Value.Select(c => $"{c.Value} {p.Key}/{c.Key}")).Order().ToList();

        Assert.Equal(node, cli);
    }

    [Fact]
    public async Task Should_exit_2_with_usage_when_no_address_is_given()
    {
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });

        Assert.Equal(2, await CliApp.MainAsync([], TextReader.Null, console));
        Assert.Equal(0, await CliApp.MainAsync(["--help"], TextReader.Null, console));
        Assert.Contains("distcache-cli ADDRESS PALETTE COMMAND", output.ToString());
    }
}
