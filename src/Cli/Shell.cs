using Spectre.Console;

namespace DistCacheAkka.Cli;

/// <summary>
/// The interactive prompt opened when the CLI gets only an address: reads palette commands line by line, keeps a
/// history (<c>history</c> lists it, <c>!n</c> runs entry n again), <c>help</c> lists the commands, <c>exit</c> or end of
/// input leaves. A failing command prints its error and the prompt goes on.
/// </summary>
internal sealed class Shell(ManagementConnection connection, IAnsiConsole console, TextReader input, bool json)
{
    private readonly List<string> _history = [];

    public async Task<int> RunAsync()
    {
        console.MarkupLine($"Connected to [bold]{Markup.Escape(connection.Address)}[/]. Type [bold]help[/] for commands, [bold]exit[/] to leave.");
        while (true)
        {
            console.Markup($"[bold]distcache {Markup.Escape(connection.Address)}>[/] ");
            var line = await input.ReadLineAsync();
            if (line is null)
            {
                console.WriteLine();
                return ManagementConnection.Ok;
            }

            line = line.Trim();
            if (line.StartsWith('!') && int.TryParse(line[1..], out var n))
            {
                if (n < 1 || n > _history.Count)
                {
                    console.MarkupLine($"[red]no history entry {n}[/]");
                    continue;
                }

                line = _history[n - 1];
                console.WriteLine(line);
            }

            switch (line)
            {
                case "":
                    continue;
                case "exit" or "quit":
                    return ManagementConnection.Ok;
                case "help" or "?":
                    console.WriteLine(CliApp.CommandList());
                    continue;
                case "history":
                    for (var i = 0; i < _history.Count; i++)
                        console.WriteLine($"{i + 1,4}  {_history[i]}");
                    continue;
            }

            _history.Add(line);
            await CliApp.ExecuteAsync(connection, InvocationParser.Split(line), json, console);
        }
    }
}
