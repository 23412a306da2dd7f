using Coala.ML.Cli.Commands;
using Coala.ML.Tests.TestSupport;

namespace Coala.ML.Tests.Cli;

/// <summary>
/// What every verb shares (issue 21, items 4-6): one error prefix, --output and --out both accepted, defaults stated
/// once, unwrapped failure lists, embed's exit rules, and --shard auto from each scheduler's variables.
/// </summary>
[Collection("Console")]
public class CliConventionsTests
{
    private static Dictionary<string, string> Env(params (string Name, string Value)[] vars) => vars.ToDictionary(v => v.Name, v => v.Value);

    private static ShardSpec Resolve(string shard, int? count, params (string, string)[] vars)
    {
        var env = Env(vars);
        return ShardSpec.Resolve(shard, count, name => env.GetValueOrDefault(name));
    }

    [Fact]
    public void ShardAutoReadsAKubernetesIndexedJobWithTheCountFromTheOptionOrCOALASHARDCOUNT()
    {
        Assert.Equal((2, 5), (Resolve("auto", 5, ("JOB_COMPLETION_INDEX", "2")) is var a ? (a.Index, a.Count) : default));
        var b = Resolve("auto", null, ("JOB_COMPLETION_INDEX", "4"), ("COALA_SHARD_COUNT", "5"));
        Assert.Equal((4, 5), (b.Index, b.Count));
        Assert.Equal(3, Resolve("auto", 3, ("JOB_COMPLETION_INDEX", "0"), ("COALA_SHARD_COUNT", "5")).Count); // the option wins
        var missing = Assert.Throws<CoalaException>(() => Resolve("auto", null, ("JOB_COMPLETION_INDEX", "1")));
        Assert.Contains("--shard-count", missing.Message);
        Assert.Contains("COALA_SHARD_COUNT", missing.Message);
        Assert.Contains("not below the count", Assert.Throws<CoalaException>(() => Resolve("auto", 2, ("JOB_COMPLETION_INDEX", "2"))).Message);
        Assert.Contains("not a non-negative whole number", Assert.Throws<CoalaException>(() => Resolve("auto", 2, ("JOB_COMPLETION_INDEX", "x"))).Message);
    }

    [Fact]
    public void ShardAutoReadsASlurmArrayByPositionSoArraysStartingAtOneOrSteppingStillGiveZeroToNMinusOne()
    {
        var zero = Resolve("auto", null, ("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0"));
        Assert.Equal((3, 4), (zero.Index, zero.Count));
        // --array=1-4: ids 1..4, shards 0..3
        Assert.Equal(new[] { 0, 1, 2, 3 }, Enumerable.Range(1, 4).Select(id =>
            Resolve("auto", null, ("SLURM_ARRAY_TASK_ID", $"{id}"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1")).Index));
        // --array=10-16:2: ids 10, 12, 14, 16, shards 0..3
        Assert.Equal(new[] { 0, 1, 2, 3 }, new[] { 10, 12, 14, 16 }.Select(id =>
            Resolve("auto", null, ("SLURM_ARRAY_TASK_ID", $"{id}"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "10"), ("SLURM_ARRAY_TASK_STEP", "2")).Index));
        Assert.Contains("SLURM_ARRAY_TASK_COUNT", Assert.Throws<CoalaException>(() => Resolve("auto", null, ("SLURM_ARRAY_TASK_ID", "0"))).Message);
        // --array=1,5,9 (no step): positions cannot be derived, so a clear error instead of an uncovered shard
        Assert.Contains("not below the count", Assert.Throws<CoalaException>(() =>
            Resolve("auto", null, ("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_MIN", "1"))).Message);
    }

    [Fact]
    public void ShardAutoWithoutSchedulerVariablesOrWithBothIsAnErrorAndIOverNIsUnchanged()
    {
        Assert.Contains("no scheduler variables", Assert.Throws<CoalaException>(() => Resolve("auto", 4)).Message);
        Assert.Contains("both", Assert.Throws<CoalaException>(() =>
            Resolve("auto", 4, ("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "4"))).Message);
        var plain = Resolve("1/3", null, ("JOB_COMPLETION_INDEX", "2"), ("COALA_SHARD_COUNT", "5"));
        Assert.Equal((1, 3), (plain.Index, plain.Count));
        Assert.Contains("goes with --shard auto", Assert.Throws<CoalaException>(() => Resolve("1/3", 3)).Message);
    }

    [Fact]
    public void EmbedShardAutoUnderEachSchedulerCoversTheInputAsTheWholeRunDoes()
    {
        var dir = TestAssets.TempDir("cli-shard-auto");
        var audio = Directory.CreateDirectory(Path.Combine(dir, "audio")).FullName;
        for (int i = 0; i < 5; i++)
            TestAssets.WriteWav(Path.Combine(audio, $"clip{i}.wav"), TestAssets.Signal(1.0 + 0.3 * i, 22000, i), 22000);
        var model = TestAssets.RandomModel();
        var whole = Path.Combine(dir, "all.csv");
        Assert.Equal(0, CliRunner.Run("embed", audio, "--output", whole, "--model", model).Code);
        var expected = File.ReadAllLines(whole).Skip(1).Order(StringComparer.Ordinal).ToList();

        var schedulers = new Dictionary<string, Func<int, Dictionary<string, string>>>
        {
            ["kubernetes"] = i => Env(("JOB_COMPLETION_INDEX", $"{i}"), ("COALA_SHARD_COUNT", "3")),
            ["slurm"] = i => Env(("SLURM_ARRAY_TASK_ID", $"{i + 1}"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_MAX", "3"), ("SLURM_ARRAY_TASK_COUNT", "3")),
        };
        foreach (var (name, env) in schedulers)
        {
            var rows = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                var part = Path.Combine(dir, $"{name}-{i}.csv");
                var (code, _, stderr) = CliRunner.RunWithEnvironment(env(i), "embed", audio, "--out", part, "--model", model, "--shard", "auto");
                Assert.True(code == 0, stderr);
                Assert.Contains($"shard {i}/3", stderr);
                rows.AddRange(File.ReadAllLines(part).Skip(1));
            }
            Assert.Equal(expected, rows.Order(StringComparer.Ordinal).ToList());
        }

        var (failCode, _, failErr) = CliRunner.RunWithEnvironment(Env(), "embed", audio, "--output", Path.Combine(dir, "x.csv"), "--model", model, "--shard", "auto");
        Assert.Equal(1, failCode);
        Assert.StartsWith("coala embed: --shard auto: no scheduler variables", failErr);
    }

    [Fact]
    public void WhenEveryInputFailsEmbedWritesNothingAndExits1()
    {
        var dir = TestAssets.TempDir("cli-all-fail");
        File.WriteAllBytes(Path.Combine(dir, "a.wav"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir, "b.wav"), [4, 5, 6, 7]);
        foreach (var output in new[] { "out.csv", "out.parquet" })
        {
            var path = Path.Combine(dir, "o", output);
            var (code, _, stderr) = CliRunner.Run("embed", dir, "--output", path, "--model", TestAssets.RandomModel());
            Assert.Equal(1, code);
            Assert.Contains("2 input(s) failed", stderr);
            Assert.Contains("nothing written", stderr);
            Assert.False(File.Exists(path));
        }

        // A file from an earlier run stays as it was.
        var earlier = Path.Combine(Directory.CreateDirectory(Path.Combine(dir, "o")).FullName, "earlier.csv");
        File.WriteAllText(earlier, "path,e0\nx.wav,1\n");
        Assert.Equal(1, CliRunner.Run("embed", dir, "--output", earlier, "--model", TestAssets.RandomModel()).Code);
        Assert.Equal("path,e0\nx.wav,1\n", File.ReadAllText(earlier));
    }

    [Fact]
    public void TheFailureListKeepsLongPathsOnOneLineWhenStderrIsNotATerminal()
    {
        var dir = TestAssets.TempDir("cli-nowrap");
        var deep = Directory.CreateDirectory(Path.Combine(dir, new string('d', 60), "0123456789abcdef0123456789abcdef0123456789abcdef")).FullName;
        TestAssets.WriteWav(Path.Combine(deep, "good.wav"), TestAssets.Signal(1.0, 22000), 22000);
        var broken = Path.Combine(deep, "broken-deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef.wav");
        File.WriteAllBytes(broken, [1, 2, 3]);
        Assert.True(broken.Length > 120);

        var (code, _, stderr) = CliRunner.Run("embed", deep, "--output", Path.Combine(dir, "o.csv"), "--model", TestAssets.RandomModel());
        Assert.Equal(2, code);
        var lines = stderr.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains(lines, l => l.StartsWith("  ", StringComparison.Ordinal) && l.Contains(broken, StringComparison.Ordinal));
        Assert.Contains(lines, l => l == "1 input(s) failed:");
    }

    [Theory]
    [InlineData("embed", "coala embed: ", new[] { "embed", "x.wav", "--output", "o.csv", "--format", "xml" })]
    [InlineData("tags", "coala tags: ", new[] { "tags" })]
    [InlineData("search", "coala search: ", new[] { "search", "dog", "x.wav", "--top", "0" })]
    [InlineData("export", "coala export: ", new[] { "export", "--checkpoint", "/nonexistent/coala/run.ckpt", "--output", "/nonexistent/coala/m.onnx" })]
    [InlineData("prepare", "coala prepare: ", new[] { "prepare", "--folder", "/nonexistent/coala", "--output", "/nonexistent/coala/out", "--patches-per-clip", "0" })]
    [InlineData("import-reference", "coala import-reference: ", new[] { "import-reference", "--repo", "/nonexistent/coala", "--output", "/nonexistent/coala/m.onnx" })]
    [InlineData("train", "coala train: ", new[] { "train", "--data", "/nonexistent/coala/corpus", "--output", "/nonexistent/coala/run" })]
    [InlineData("quantize", "coala quantize: ", new[] { "quantize", "--model", "/nonexistent/coala/m.onnx", "--calibration", "/nonexistent/coala", "--output", "/nonexistent/coala/q.onnx" })]
    [InlineData("correlate", "coala correlate: ", new[] { "correlate", "--model", "m=/nonexistent/coala/m.onnx", "--clips", "/nonexistent/coala/clips", "--embedding", "first" })]
    [InlineData("evaluate", "coala evaluate: ", new[] { "evaluate", "--task", "no-such-kind:/nonexistent/coala" })]
    [InlineData("classify", "coala classify: ", new[] { "classify", "x.wav", "--labels", "kick" })]
    [InlineData("bench", "coala bench: ", new[] { "bench", "--clips", "0" })]
    public void EveryVerbReportsErrorsWithOnePrefix(string verb, string prefix, string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.True(code == 1, $"{verb}: exit {code}; {stderr}");
        Assert.StartsWith(prefix, stderr.TrimStart('\r', '\n'));
        Assert.DoesNotContain("error: ", stderr);
    }

    /// <summary>The error lines of a run: stderr's non-empty lines (a verb with a live progress line may end it first).</summary>
    private static string[] Lines(string stderr) => stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void TheSameCoalaExceptionReadsTheSameFromTwoVerbsWithExitCode1()
    {
        var dir = TestAssets.TempDir("cli-same-error");
        var wav = TestAssets.WriteWav(Path.Combine(dir, "a.wav"), TestAssets.Signal(1.0, 22000), 22000);
        var model = Path.Combine(dir, "missing.onnx");
        var expected = Assert.Throws<CoalaException>(() => Coala.ML.Model.CoalaModel.Load(model)).Message;

        var embed = CliRunner.Run("embed", wav, "--output", Path.Combine(dir, "out.csv"), "--model", model);
        var quantize = CliRunner.Run("quantize", "--model", model, "--calibration", dir, "--output", Path.Combine(dir, "q.onnx"));

        Assert.Equal(1, embed.Code);
        Assert.Equal(1, quantize.Code);
        Assert.Equal([$"coala embed: {expected}"], Lines(embed.Stderr));
        Assert.Equal([$"coala quantize: {expected}"], Lines(quantize.Stderr));
        Assert.Contains(model, expected); // the message names the file
    }

    [Fact]
    public void AnUnexpectedExceptionIsOneLineThatAsksForAReportAndCOALADEBUGAddsTheStackTrace()
    {
        var dir = TestAssets.TempDir("cli-unexpected");
        var wav = TestAssets.WriteWav(Path.Combine(dir, "a.wav"), TestAssets.Signal(1.0, 22000), 22000);
        var old = EmbedCommand.StandardOutput;
        EmbedCommand.StandardOutput = () => throw new InvalidOperationException("the standard output went away");
        try
        {
            var (code, _, stderr) = CliRunner.Run("embed", wav, "--output", "-", "--model", TestAssets.RandomModel());
            Assert.Equal(1, code);
            var line = Assert.Single(Lines(stderr));
            Assert.StartsWith("coala embed: unexpected InvalidOperationException: the standard output went away", line);
            Assert.Contains("please report", line);
            Assert.Contains("COALA_DEBUG=1", line);
            Assert.DoesNotContain("   at ", stderr);
            Assert.DoesNotContain("Unhandled exception", stderr);

            (code, _, stderr) = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["COALA_DEBUG"] = "1" },
                "embed", wav, "--output", "-", "--model", TestAssets.RandomModel());
            Assert.Equal(1, code);
            Assert.Equal(line, Lines(stderr)[0]);
            Assert.Contains("   at ", stderr); // the stack trace, for a report
        }
        finally
        {
            EmbedCommand.StandardOutput = old;
        }
    }

    [Fact]
    public void TheOneHandlerGivesEachKindOfExceptionItsMessageAndExitCode()
    {
        Assert.Equal(("x.wav: not audio", 1), CliError.Describe(new CoalaException("not audio", "x.wav")));
        Assert.Equal(("interrupted: run it again", 130), CliError.Describe(new OperationCanceledException(), "run it again"));
        Assert.Equal(("interrupted", 130), CliError.Describe(new TaskCanceledException()));
        Assert.Equal(("the hop is too long", 1), CliError.Describe(new ArgumentOutOfRangeException("hopSeconds", 9.0, "the hop is too long")));
        Assert.Equal(("Access to the path '/out.csv' is denied.", 1), CliError.Describe(new UnauthorizedAccessException("Access to the path '/out.csv' is denied.")));
        Assert.Equal(("No space left on device : '/out.csv'", 1), CliError.Describe(new IOException("No space left on device : '/out.csv'")));
        // What Parallel.For hands back for one file's failure reads as that failure.
        Assert.Equal(("x.wav: not audio", 1), CliError.Describe(new AggregateException(new CoalaException("not audio", "x.wav"))));
        // A null argument is the program's mistake, not the user's.
        foreach (var bug in new Exception[] { new ArgumentNullException("path"), new NullReferenceException("gone"), new InvalidOperationException("twice") })
        {
            var (message, code) = CliError.Describe(bug);
            Assert.Equal(1, code);
            Assert.StartsWith($"unexpected {bug.GetType().Name}: ", message);
            Assert.Contains("please report", message);
        }
    }

    [Fact]
    public void ARejectedArgumentReadsAsItsMessageWithoutTheParameterName()
    {
        var m = Coala.ML.Tests.Tags.TagTestModel.Create();
        // '+' alone is no tag word: the library refuses the empty label with an ArgumentException.
        var (code, _, stderr) = CliRunner.Run("classify", "/nonexistent/coala", "--labels", "none=+,dog", "--model", m.Encoder);
        Assert.Equal(1, code);
        Assert.Equal(["coala classify: a label is empty"], Lines(stderr));
    }

    [Fact]
    public async Task AnInterruptedPrepareExits130WithItsResumeHintInTheOneStyle()
    {
        var dir = TestAssets.TempDir("cli-interrupted");
        var audio = Directory.CreateDirectory(Path.Combine(dir, "audio", "dog")).FullName;
        for (int i = 0; i < 3; i++)
            TestAssets.WriteWav(Path.Combine(audio, $"{i}.wav"), TestAssets.Signal(1.0, 22000, i), 22000);
        var root = new System.CommandLine.RootCommand();
        foreach (var c in CommandRegistry.All(_ => null)) root.Subcommands.Add(c);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel(); // as Ctrl+C does through System.CommandLine's token

        var err = new StringWriter();
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(new StringWriter());
        int code;
        try
        {
            code = await root.Parse(["prepare", "--folder", Path.Combine(dir, "audio"), "--output", Path.Combine(dir, "out"), "--min-count", "1"], CommandRegistry.Parser)
                .InvokeAsync(cancellationToken: cancelled.Token);
        }
        finally { Console.SetError(oldErr); Console.SetOut(oldOut); }

        Assert.Equal(130, code);
        Assert.Equal([$"coala prepare: interrupted: {PrepareCommand.ResumeHint}"], Lines(err.ToString()));
    }

    [Theory]
    [InlineData("embed", "x.wav")]
    [InlineData("prepare", "--folder", "lib")]
    [InlineData("train", "--data", "corpus")]
    [InlineData("export", "--checkpoint", "run")]
    [InlineData("import-reference", "--repo", "coala")]
    [InlineData("evaluate", "--task", "fsdd-digit:fsdd")]
    [InlineData("correlate", "--model", "m.onnx", "--clips", "clips")]
    public void EveryVerbWithAnOutputTakesBothOutputAndOut(params string[] args)
    {
        foreach (var name in new[] { "--output", "--out", "-o" })
        {
            var root = new System.CommandLine.RootCommand();
            foreach (var c in CommandRegistry.All()) root.Subcommands.Add(c);
            var parse = root.Parse([.. args, name, "target"]);
            Assert.True(parse.Errors.Count == 0, $"{args[0]} {name}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void ThreadsHelpStatesItsDefaultOnce()
    {
        foreach (var verb in new[] { "embed", "prepare", "search", "evaluate" })
        {
            var (_, stdout, _) = CliRunner.Run(verb, "--help");
            var lines = stdout.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith("--threads", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(lines);
            var entry = string.Join(" ", lines.Take(1).Concat(lines.Skip(1).TakeWhile(l => !l.TrimStart().StartsWith('-'))));
            Assert.Equal(1, entry.Split("processor count").Length - 1);
            Assert.DoesNotContain("[default:", entry);
        }
    }

    /// <summary>Every <c>coala ...</c> line in the README's code blocks parses (options spelled as documented, --output
    /// accepted where it is shown); shell variables stand for a number, continuation lines are joined.</summary>
    [Fact]
    public void TheREADMECoalaCommandLinesParse()
    {
        string? readme = null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null && readme is null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "README.md")) && File.Exists(Path.Combine(d.FullName, "Coala.ML.sln")))
                readme = Path.Combine(d.FullName, "README.md");
        Assert.NotNull(readme);
        var lines = new List<string>();
        bool code = false;
        string pending = "";
        foreach (var raw in File.ReadAllLines(readme))
        {
            if (raw.StartsWith("```", StringComparison.Ordinal)) { code = !code; continue; }
            if (!code) continue;
            var line = pending + raw.Trim();
            if (line.EndsWith('\\')) { pending = line[..^1] + " "; continue; }
            pending = "";
            int hash = line.IndexOf(" #", StringComparison.Ordinal);
            if (hash >= 0) line = line[..hash];
            if (line.StartsWith("coala ", StringComparison.Ordinal)) lines.Add(line.Trim());
        }
        Assert.True(lines.Count >= 10, $"only {lines.Count} coala lines found");
        foreach (var line in lines)
        {
            var words = System.Text.RegularExpressions.Regex.Matches(line, "\"([^\"]*)\"|(\\S+)")
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
                .Select(w => System.Text.RegularExpressions.Regex.IsMatch(w, "^\\$[A-Za-z_{}]+$|^\\$\\(") ? "1" : w)
                .Skip(1).ToArray();
            var root = new System.CommandLine.RootCommand();
            foreach (var c in CommandRegistry.All()) root.Subcommands.Add(c);
            var parse = root.Parse(words);
            Assert.True(parse.Errors.Count == 0, $"{line}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }

    [Theory]
    [InlineData(new[] { "embed" }, "coala embed: ", "Option '--output' is required.")]
    [InlineData(new[] { "train", "--data", "d", "--epochs", "x", "--output", "o" }, "coala train: ", "Cannot parse argument 'x' for option '--epochs'")]
    [InlineData(new[] { "frobnicate" }, "coala: ", "Unrecognized command or argument 'frobnicate'.")]
    public void ACommandLineThatDoesNotParseIsReportedInTheOneStyleWithoutTheHelpText(string[] args, string prefix, string problem)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith(prefix, l));
        Assert.Contains(lines, l => l.Contains(problem, StringComparison.Ordinal));
        Assert.EndsWith($"see '{prefix.TrimEnd(' ', ':')} --help'", lines[^1]);
        Assert.DoesNotContain("Usage:", stderr + stdout);
    }
}
