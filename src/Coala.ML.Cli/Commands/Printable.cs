using System.Globalization;
using System.Text;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// Text made safe for a terminal: a file name may hold control characters (an escape sequence that rewrites the
/// screen, a line break that forges a line of output) or bidirectional overrides that reorder what is shown. They are
/// printed as escapes (<c>\n</c>, <c>\t</c>, <c>\x1b</c>, <c>\u202e</c>); data files (CSV, Parquet) keep names as they are.
/// </summary>
internal static class Printable
{
    public static string Escape(string s)
    {
        int i = 0;
        while (i < s.Length && !NeedsEscape(s[i])) i++;
        if (i == s.Length) return s;
        var sb = new StringBuilder(s.Length + 16).Append(s, 0, i);
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (!NeedsEscape(c)) { sb.Append(c); continue; }
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < '\u0100' => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f';
}
