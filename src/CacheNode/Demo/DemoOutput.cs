namespace DistCacheAkka.CacheNode.Demo;

/// <summary>Plain-text output of the demo: headers, tables and bars without control codes, so pipes and CI read it as is.</summary>
internal static class DemoOutput
{
    public static void Header(int number, string title)
    {
        Console.WriteLine();
        Console.WriteLine($"== {number}. {title} " + new string('=', Math.Max(0, 70 - title.Length)));
    }

    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        string Line(IReadOnlyList<string> row) => "  " + string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i])));
        Console.WriteLine(Line(headers));
        Console.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in all.Skip(1))
            Console.WriteLine(Line(row));
    }

    public static string Bar(double value, double max, int width = 40) =>
        new string('#', max <= 0 ? 0 : (int)Math.Round(width * value / max));

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
