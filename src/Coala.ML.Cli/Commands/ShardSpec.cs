using System.Globalization;

namespace Coala.ML.Cli.Commands;

/// <summary>
/// Which shard of the input list one job of a fan-out embeds: <c>--shard i/N</c> as given, or <c>--shard auto</c>
/// from the scheduler's variables. A Kubernetes Indexed Job sets <c>JOB_COMPLETION_INDEX</c> but not the number of
/// completions, so the count comes from <c>--shard-count</c> or <c>COALA_SHARD_COUNT</c>; a Slurm array sets
/// <c>SLURM_ARRAY_TASK_ID</c>, <c>SLURM_ARRAY_TASK_COUNT</c>, <c>SLURM_ARRAY_TASK_MIN</c> and, for stepped ranges
/// (<c>--array=1-99:2</c>), <c>SLURM_ARRAY_TASK_STEP</c>; the index is the task's position in the array,
/// (ID - MIN) / STEP, so arrays that start at 1 or step by 2 still give shards 0..N-1.
/// The environment is read through a function, so tests give their own variables and never touch the process's.
/// </summary>
internal sealed record ShardSpec(int Index, int Count, string Source)
{
    public const string CountVariable = "COALA_SHARD_COUNT";
    public const string KubernetesIndexVariable = "JOB_COMPLETION_INDEX";
    public const string SlurmIdVariable = "SLURM_ARRAY_TASK_ID";
    public const string SlurmCountVariable = "SLURM_ARRAY_TASK_COUNT";
    public const string SlurmMinVariable = "SLURM_ARRAY_TASK_MIN";
    public const string SlurmStepVariable = "SLURM_ARRAY_TASK_STEP";

    /// <summary>
    /// Resolves <paramref name="shard"/> ("i/N" or "auto"); <paramref name="shardCount"/> is <c>--shard-count</c>,
    /// which only goes with auto. Throws a <see cref="CoalaException"/> that says what is missing or wrong.
    /// </summary>
    public static ShardSpec Resolve(string shard, int? shardCount, Func<string, string?> environment)
    {
        if (!shard.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            if (shardCount is not null)
                throw new CoalaException($"--shard-count goes with --shard auto; --shard '{shard}' already gives the count");
            var (i, n) = EmbedCommand.ParseShard(shard);
            return new ShardSpec(i, n, "--shard");
        }
        if (shardCount is < 1)
            throw new CoalaException($"--shard-count {shardCount}: expected at least 1");

        string? Get(string name) => environment(name) is { } v && v.Trim().Length > 0 ? v.Trim() : null;
        string? kubernetes = Get(KubernetesIndexVariable), slurm = Get(SlurmIdVariable);
        if (kubernetes is not null && slurm is not null)
            throw new CoalaException($"--shard auto: both {KubernetesIndexVariable} (Kubernetes) and {SlurmIdVariable} (Slurm) are set; give --shard i/N");

        if (kubernetes is not null)
        {
            int index = Parse(KubernetesIndexVariable, kubernetes);
            int count = shardCount ?? (Get(CountVariable) is { } c ? Parse(CountVariable, c)
                : throw new CoalaException($"--shard auto: {KubernetesIndexVariable}={kubernetes} (a Kubernetes Indexed Job) gives the index but not the count; " +
                                           $"give --shard-count N or set {CountVariable} to the Job's completions"));
            return Checked(index, count, $"{KubernetesIndexVariable}={kubernetes}, count {(shardCount is null ? $"from {CountVariable}" : "from --shard-count")}");
        }
        if (slurm is not null)
        {
            int id = Parse(SlurmIdVariable, slurm);
            int min = Get(SlurmMinVariable) is { } m ? Parse(SlurmMinVariable, m) : 0;
            int step = Get(SlurmStepVariable) is { } s ? Parse(SlurmStepVariable, s) : 1;
            if (step < 1 || id < min || (id - min) % step != 0)
                throw new CoalaException($"--shard auto: {SlurmIdVariable}={id} is not in the array {min}..:{step} ({SlurmMinVariable}, {SlurmStepVariable}); use a range such as --array=0-7, or give --shard i/N");
            int count = shardCount ?? (Get(SlurmCountVariable) is { } c ? Parse(SlurmCountVariable, c)
                : throw new CoalaException($"--shard auto: {SlurmIdVariable} is set but {SlurmCountVariable} is not; give --shard-count N"));
            return Checked((id - min) / step, count, $"{SlurmIdVariable}={id}, {SlurmMinVariable}={min}, {SlurmCountVariable}={count}");
        }
        throw new CoalaException($"--shard auto: no scheduler variables found ({KubernetesIndexVariable} of a Kubernetes Indexed Job, " +
                                 $"{SlurmIdVariable} of a Slurm array); give --shard i/N");
    }

    private static ShardSpec Checked(int index, int count, string source)
    {
        if (count < 1)
            throw new CoalaException($"--shard auto: shard count {count} ({source}): expected at least 1");
        if (index >= count)
            throw new CoalaException($"--shard auto: shard index {index} is not below the count {count} ({source}); " +
                                     "a Slurm array with gaps (--array=1,5,9) has no position per task: use a range, or --shard i/N");
        return new ShardSpec(index, count, source);
    }

    private static int Parse(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v)
            ? v : throw new CoalaException($"--shard auto: {name}='{value}' is not a non-negative whole number");
}
