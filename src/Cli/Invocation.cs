namespace DistCacheAkka.Cli;

/// <summary>What a command line (or an interactive line) asked for.</summary>
internal abstract record Parsed;

/// <summary>Run <see cref="Spec"/> with these positional arguments and options.</summary>
internal sealed record Invocation(CommandSpec Spec, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Options) : Parsed;

/// <summary>The words do not form a command: the message says why and what would.</summary>
internal sealed record UsageProblem(string Message) : Parsed;

/// <summary>Parses "palette command [args] [--option value]" against the <see cref="CommandTable"/>.</summary>
internal static class InvocationParser
{
    public static Parsed Parse(IReadOnlyList<string> words)
    {
        if (words.Count == 0)
            return new UsageProblem($"missing palette; the palettes are: {string.Join(", ", CommandTable.Palettes)}");
        var palette = words[0];
        if (!CommandTable.Palettes.Contains(palette))
            return new UsageProblem($"unknown palette '{palette}'{Suggest(palette, CommandTable.Palettes)}; the palettes are: {string.Join(", ", CommandTable.Palettes)}");
        var commands = CommandTable.All.Where(c => c.Palette == palette).Select(c => c.Name).ToList();
        if (words.Count == 1)
            return new UsageProblem($"missing command; '{palette}' has: {string.Join(", ", commands)}");
        var spec = CommandTable.Find(palette, words[1]);
        if (spec is null)
            return new UsageProblem($"unknown command '{palette} {words[1]}'{Suggest(words[1], commands)}; '{palette}' has: {string.Join(", ", commands)}");

        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 2; i < words.Count; i++)
        {
            var word = words[i];
            if (word.StartsWith("--", StringComparison.Ordinal) && word.Length > 2)
            {
                var name = word[2..];
                if (!spec.Options.Contains(name))
                    return new UsageProblem($"'{palette} {spec.Name}' has no option --{name}; usage: {spec.Usage}");
                if (i + 1 >= words.Count)
                    return new UsageProblem($"option --{name} needs a value; usage: {spec.Usage}");
                options[name] = words[++i];
            }
            else
            {
                positional.Add(word);
            }
        }

        var required = spec.Arguments.Count(a => !a.EndsWith('?'));
        if (positional.Count < required)
            return new UsageProblem($"missing <{spec.Arguments[positional.Count].TrimEnd('?')}>; usage: {spec.Usage}");
        if (positional.Count > spec.Arguments.Length)
            return new UsageProblem($"unexpected argument '{positional[spec.Arguments.Length]}'; usage: {spec.Usage}");
        return new Invocation(spec, positional, options);
    }

    private static string Suggest(string typed, IEnumerable<string> known)
    {
        var closest = CommandTable.Closest(typed, known);
        return closest.Count == 0 ? "" : $" (did you mean {string.Join(" or ", closest.Select(c => $"'{c}'"))}?)";
    }

    /// <summary>Splits an interactive line into words; double or single quotes keep spaces.</summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var ch in line)
        {
            if (quote is not null)
            {
                if (ch == quote)
                    quote = null;
                else
                    current.Append(ch);
            }
            else if (ch is '"' or '\'')
            {
                quote = ch;
                inWord = true;
            }
            else if (char.IsWhiteSpace(ch))
            {
                if (inWord)
                    words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(ch);
                inWord = true;
            }
        }

        if (inWord)
            words.Add(current.ToString());
        return words;
    }
}
