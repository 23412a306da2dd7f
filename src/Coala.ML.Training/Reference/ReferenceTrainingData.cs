using Coala.ML.Features;

namespace Coala.ML.Training.Reference;

/// <summary>
/// The reference's released pre-training set as the trainer needs it: the training file and its <c>_val</c>
/// companion (<see cref="ReferenceHdf5Set"/>), the scaler the patches were scaled with (<c>scaler_top_1000.pkl</c>,
/// exported into the model's graph) and the tag words (<c>json/id2token_top_1000.json</c>).
/// Without explicit paths the scaler and the vocabulary are looked for where a clone of xavierfav/coala keeps them,
/// relative to the data's folder (<c>hdf5_ds/</c> in the clone) and its parent.
/// </summary>
internal sealed class ReferenceTrainingData : IDisposable
{
    public required ReferenceHdf5Set Train { get; init; }
    public required ReferenceHdf5Set Validation { get; init; }
    public required MinMaxScaler Scaler { get; init; }
    public required string[] Vocabulary { get; init; }
    public FrontendSettings Frontend => ReferenceImporter.Frontend;

    /// <exception cref="CoalaException">a file missing or malformed, or a vocabulary that does not fit the labels.</exception>
    public static ReferenceTrainingData Open(string trainPath, string? scalerPath = null, string? vocabularyPath = null)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(trainPath))!;
        string parent = Path.GetDirectoryName(dir) ?? dir;
        scalerPath ??= Find("the scaler", "--scaler", Path.Combine(dir, ReferenceImporter.ScalerFile), Path.Combine(parent, ReferenceImporter.ScalerFile));
        vocabularyPath ??= Find("the vocabulary", "--vocabulary", Path.Combine(dir, ReferenceImporter.VocabularyFile),
            Path.Combine(parent, ReferenceImporter.VocabularyFile), Path.Combine(dir, Path.GetFileName(ReferenceImporter.VocabularyFile)));
        var scaler = SklearnScalerFile.Read(scalerPath);
        if (scaler.Bands != ReferenceHdf5Set.Side)
            throw new CoalaException($"the scaler has {scaler.Bands} features, the patches {ReferenceHdf5Set.Side} mel bands", scalerPath);
        var words = ReferenceImporter.ReadVocabulary(vocabularyPath);

        string valPath = ReferenceHdf5Set.ValidationPath(trainPath);
        if (!File.Exists(valPath))
            throw new CoalaException($"the validation file is missing: the reference's layout keeps it beside the training file as {Path.GetFileName(valPath)}", valPath);
        var train = ReferenceHdf5Set.Open(trainPath);
        ReferenceHdf5Set? val = null;
        try
        {
            val = ReferenceHdf5Set.Open(valPath, clampAtZero: true);
            if (val.VocabularySize != train.VocabularySize)
                throw new CoalaException($"the validation file has {val.VocabularySize} tag columns, the training file {train.VocabularySize}", valPath);
            if (words.Length != train.VocabularySize)
                throw new CoalaException($"the vocabulary has {words.Length} words, the training file {train.VocabularySize} tag columns", vocabularyPath);
            return new ReferenceTrainingData { Train = train, Validation = val, Scaler = scaler, Vocabulary = words };
        }
        catch
        {
            val?.Dispose();
            train.Dispose();
            throw;
        }
    }

    private static string Find(string what, string option, params string[] candidates) =>
        candidates.FirstOrDefault(File.Exists)
        ?? throw new CoalaException($"{what} was not found at {string.Join(" or ", candidates)}; give it with {option}");

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
