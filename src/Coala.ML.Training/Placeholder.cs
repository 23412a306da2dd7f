namespace Coala.ML.Training; internal static class TrainingPlaceholder {}
